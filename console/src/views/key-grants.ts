import type { Grant } from "../../../gen/kms/v1/types_pb.js";
import { GRANT_OPERATIONS } from "../../../src/domain/grant-operations.js";
import { type App, type Feedback, feedback } from "../app.js";
import { onConfirmedClick } from "../confirm.js";
import { copyable } from "../copy.js";
import { busy, field, h, replace } from "../dom.js";
import { dateLabel, parseContext } from "../format.js";

/**
 * A key's grants: who may do which operations under which encryption-context constraint, with
 * create (the grant token is shown once), retire and revoke — both after a confirmation.
 */
export function keyGrants(app: App, keyId: string): HTMLElement {
  const status = feedback(app);
  const list = h("ul", { class: "cards", id: "grant-list", "aria-label": "Grants" });

  async function load(): Promise<void> {
    const { grants } = await app.client.keys.listGrants({ keyId, pageSize: 1000 });
    replace(
      list,
      ...(grants.length
        ? grants.map((g) => grantCard(app, g, status, load))
        : [h("li", { class: "empty" }, "No grants.")]),
    );
  }
  void load().catch(status.fail);

  return h(
    "section",
    { class: "block", "aria-label": "Grants" },
    h("h3", {}, "Grants"),
    list,
    createGrantForm(app, keyId, status, load),
    status.el,
  );
}

function grantCard(app: App, g: Grant, status: Feedback, reload: () => Promise<void>): HTMLElement {
  const retire = h("button", { type: "button", class: "secondary" }, "Retire");
  const revoke = h("button", { type: "button", class: "danger" }, "Revoke");
  const end = (button: HTMLButtonElement, verb: "retire" | "revoke") =>
    onConfirmedClick(
      button,
      status,
      () => ({
        question: `${verb === "retire" ? "Retire" : "Revoke"} this grant?`,
        detail: `${g.granteePrincipal} loses ${g.operations.join(", ")} on this key at once.`,
        action: verb === "retire" ? "Retire" : "Revoke",
      }),
      async () => {
        if (verb === "retire") await app.client.keys.retireGrant({ keyId: g.keyId, grantId: g.grantId });
        else await app.client.keys.revokeGrant({ keyId: g.keyId, grantId: g.grantId });
        await reload();
        status.ok(`The grant for ${g.granteePrincipal} is ${verb}d.`);
      },
    );
  end(retire, "retire");
  end(revoke, "revoke");
  const constraints = g.constraints;
  const equals = Object.entries(constraints?.encryptionContextEquals ?? {});
  const subset = Object.entries(constraints?.encryptionContextSubset ?? {});
  const pairs = (entries: [string, string][]) => entries.map(([k, v]) => `${k}=${v}`).join(", ");
  return h(
    "li",
    { "data-grant-id": g.grantId, "data-grantee": g.granteePrincipal },
    h("strong", {}, g.granteePrincipal, g.name && ` (${g.name})`),
    h("span", { class: "meta" }, g.operations.join(", ")),
    equals.length > 0 && h("span", { class: "meta" }, `Context must equal: ${pairs(equals)}`),
    subset.length > 0 && h("span", { class: "meta" }, `Context must include: ${pairs(subset)}`),
    h(
      "span",
      { class: "meta" },
      "Grant ",
      copyable(g.grantId, "grant ID"),
      ` · created ${dateLabel(g.createTime)} by ${g.issuingPrincipal}`,
    ),
    h("div", { class: "actions" }, retire, revoke),
  );
}

function createGrantForm(app: App, keyId: string, status: Feedback, created: () => Promise<void>): HTMLElement {
  const grantee = h("input", { type: "text", name: "grantee", required: true, spellcheck: "false" });
  const name = h("input", { type: "text", name: "grantName", spellcheck: "false" });
  const boxes = GRANT_OPERATIONS.map((op) =>
    h("input", { type: "checkbox", name: "operation", value: op, id: `grant-op-${op}` }),
  );
  const kind = h(
    "select",
    { name: "constraintKind" },
    h("option", { value: "subset" }, "must include these pairs"),
    h("option", { value: "equals" }, "must equal exactly these pairs"),
  );
  const context = h("textarea", { name: "constraint", rows: "2", placeholder: "purpose=billing" });
  const token = h("div", { class: "token" });
  const submit = h("button", { type: "submit" }, "Create grant");
  const form = h(
    "form",
    { class: "sub-form", "aria-label": "Create a grant" },
    h("h4", {}, "Create a grant"),
    h("div", { class: "row" }, field("Grantee principal", grantee), field("Name (optional)", name)),
    h(
      "fieldset",
      { class: "operations" },
      h("legend", {}, "Operations"),
      ...boxes.map((box) => h("span", { class: "check" }, box, h("label", { for: box.id }, box.value))),
    ),
    h(
      "div",
      { class: "row" },
      field("Encryption context", kind),
      field("Pairs, one name=value per line (optional)", context),
    ),
    submit,
    token,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    status.clear();
    replace(token);
    const operations = boxes.filter((b) => b.checked).map((b) => b.value);
    if (operations.length === 0) {
      status.failText("Choose at least one operation for the grant.");
      return;
    }
    void busy(
      submit,
      async () => {
        const pairs = parseContext(context.value);
        const constraints = Object.keys(pairs).length
          ? kind.value === "equals"
            ? { encryptionContextEquals: pairs }
            : { encryptionContextSubset: pairs }
          : undefined;
        const res = await app.client.keys.createGrant({
          keyId,
          granteePrincipal: grantee.value.trim(),
          name: name.value.trim(),
          operations,
          constraints,
        });
        await created();
        replace(
          token,
          h("p", { class: "warning" }, "The grant token is shown only now. It lets the grantee use the grant at once."),
          copyable(res.grantToken, "grant token", { id: "grant-token" }),
        );
        status.ok(`Created grant ${res.grantId} for ${grantee.value.trim()}.`);
      },
      status.fail,
    );
  });
  return form;
}
