import type { Alias } from "../../../gen/kms/v1/types_pb.js";
import { type App, type Feedback, feedback } from "../app.js";
import { onConfirmedClick } from "../confirm.js";
import { busy, field, h, replace } from "../dom.js";

const PAGE_SIZE = 50;

/** Every alias (paged), with create, re-point (UpdateAlias) and delete. */
export function aliasesView(app: App): HTMLElement {
  const status = feedback(app);
  const list = h("ul", { class: "cards", id: "alias-list", "aria-label": "Aliases" });
  const more = h("button", { type: "button", class: "secondary", hidden: true }, "Show more");
  let nextToken = "";

  async function load(reset: boolean): Promise<void> {
    const page = await app.client.keys.listAliases({ pageSize: PAGE_SIZE, pageToken: reset ? "" : nextToken });
    if (reset) replace(list);
    list.append(...page.aliases.map((a) => aliasCard(app, a, status, () => load(true))));
    if (!list.firstChild) list.append(h("li", { class: "empty" }, "No aliases yet."));
    nextToken = page.nextPageToken;
    more.hidden = nextToken === "";
  }
  more.addEventListener("click", () => void busy(more, () => load(false), status.fail));
  void load(true).catch(status.fail);

  const name = h("input", { type: "text", name: "aliasName", value: "alias/", required: true, spellcheck: "false" });
  const target = h("input", { type: "text", name: "targetKeyId", required: true, spellcheck: "false" });
  const submit = h("button", { type: "submit" }, "Create alias");
  const form = h(
    "form",
    { class: "card", "aria-label": "Create an alias" },
    h("h2", {}, "Create an alias"),
    field("Alias name", name, "Starts with alias/, e.g. alias/orders"),
    field("Key ID", target),
    submit,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    status.clear();
    void busy(
      submit,
      async () => {
        const { alias } = await app.client.keys.createAlias({
          aliasName: name.value.trim(),
          keyId: target.value.trim(),
        });
        await load(true);
        status.ok(`Created ${alias?.aliasName ?? "the alias"}.`);
      },
      status.fail,
    );
  });

  return h(
    "div",
    { class: "view" },
    form,
    h("section", { class: "card" }, h("h2", {}, "Aliases"), status.el, list, more),
  );
}

function aliasCard(app: App, alias: Alias, status: Feedback, reload: () => Promise<void>): HTMLElement {
  const target = h("input", { type: "text", name: "keyId", value: alias.targetKeyId, spellcheck: "false" });
  const update = h("button", { type: "submit", class: "secondary" }, "Update");
  const remove = h("button", { type: "button", class: "danger" }, "Delete");
  const form = h("form", { class: "inline" }, field("Points to key", target), update, remove);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    status.clear();
    void busy(
      update,
      async () => {
        await app.client.keys.updateAlias({ aliasName: alias.aliasName, keyId: target.value.trim() });
        await reload();
        status.ok(`${alias.aliasName} now points to ${target.value.trim()}.`);
      },
      status.fail,
    );
  });
  onConfirmedClick(
    remove,
    status,
    () => ({
      question: `Delete ${alias.aliasName}?`,
      detail: `Applications that use ${alias.aliasName} can no longer reach key ${alias.targetKeyId} by it. The key itself is not changed.`,
      action: "Delete",
    }),
    async () => {
      await app.client.keys.deleteAlias({ aliasName: alias.aliasName });
      await reload();
      status.ok(`Deleted ${alias.aliasName}.`);
    },
  );
  return h(
    "li",
    { class: "alias", "data-alias": alias.aliasName },
    h("strong", { class: "mono" }, alias.aliasName),
    h("a", { href: `#/keys/${encodeURIComponent(alias.targetKeyId)}`, class: "mono" }, alias.targetKeyId),
    form,
  );
}
