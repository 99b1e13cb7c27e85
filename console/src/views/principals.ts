import type { CreatePrincipalResponse, Principal } from "../../../gen/kms/v1/admin_service_pb.js";
import { type App, type Feedback, feedback } from "../app.js";
import { onConfirmedClick } from "../confirm.js";
import { copyable } from "../copy.js";
import { busy, field, h, replace } from "../dom.js";
import { dateLabel } from "../format.js";

/**
 * Principals (admins only): list, create — the new credentials are shown once, with copy buttons
 * and a warning — and delete after a confirmation. A deleted name is retired for good.
 */
export function principalsView(app: App): HTMLElement {
  const status = feedback(app);
  const list = h("ul", { class: "cards", id: "principal-list", "aria-label": "Principals" });
  const secrets = h("div", { id: "new-credentials" });

  async function load(): Promise<void> {
    const { principals } = await app.client.admin.listPrincipals({});
    replace(list, ...principals.map((p) => principalCard(app, p, status, load)));
  }
  void load().catch(status.fail);

  const name = h("input", {
    type: "text",
    name: "principalName",
    required: true,
    spellcheck: "false",
    maxlength: "128",
  });
  const admin = h("input", { type: "checkbox", name: "admin", id: "principal-admin" });
  const submit = h("button", { type: "submit" }, "Create principal");
  const form = h(
    "form",
    { class: "card", "aria-label": "Create a principal" },
    h("h2", {}, "Create a principal"),
    field("Name", name, "Letters, digits and . _ @ + = , - (at most 128). A deleted name cannot be used again."),
    h(
      "div",
      { class: "check" },
      admin,
      h("label", { for: "principal-admin" }, "Admin (passes every key policy, manages principals)"),
    ),
    submit,
    secrets,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    status.clear();
    replace(secrets);
    void busy(
      submit,
      async () => {
        const created = await app.client.admin.createPrincipal({ name: name.value.trim(), admin: admin.checked });
        name.value = "";
        admin.checked = false;
        replace(secrets, credentials(created));
        await load();
        status.ok(`Created principal ${created.principal?.name ?? ""}.`);
      },
      status.fail,
    );
  });

  return h(
    "div",
    { class: "view" },
    form,
    h("section", { class: "card", "aria-label": "Principals" }, h("h2", {}, "Principals"), status.el, list),
  );
}

function credentials(c: CreatePrincipalResponse): HTMLElement {
  const row = (label: string, value: string, what: string, id: string) =>
    h("div", { class: "field" }, h("span", { class: "label" }, label), copyable(value, what, { id }));
  return h(
    "div",
    { class: "secrets", role: "group", "aria-label": "New credentials" },
    h(
      "p",
      { class: "warning", role: "note" },
      "Copy these now: they are shown only once and cannot be read again. Anyone holding them acts as ",
      h("strong", {}, c.principal?.name ?? "this principal"),
      ".",
    ),
    row("Bearer token (gRPC, Connect, this console)", c.token, "bearer token", "new-token"),
    row("AWS access key id", c.accessKeyId, "access key id", "new-access-key-id"),
    row("AWS secret access key", c.secretAccessKey, "secret access key", "new-secret-access-key"),
  );
}

function principalCard(app: App, p: Principal, status: Feedback, reload: () => Promise<void>): HTMLElement {
  const self = p.name === app.identity.name;
  const remove = h(
    "button",
    { type: "button", class: "danger", disabled: self, title: self ? "You cannot delete yourself." : undefined },
    "Delete",
  );
  onConfirmedClick(
    remove,
    status,
    () => ({
      question: `Delete the principal ${p.name}?`,
      detail: `Its token and access keys stop working at once, and the name ${p.name} can never be used again. Its grants and policy entries stay.`,
      action: "Delete",
    }),
    async () => {
      await app.client.admin.deletePrincipal({ name: p.name });
      await reload();
      status.ok(`Deleted principal ${p.name}.`);
    },
  );
  return h(
    "li",
    { "data-principal": p.name },
    h(
      "strong",
      {},
      p.name,
      p.admin && h("span", { class: "tag" }, "admin"),
      self && h("span", { class: "badge" }, "you"),
    ),
    h("span", { class: "meta" }, "Access key id ", copyable(p.accessKeyId, "access key id")),
    h("span", { class: "meta" }, `Created ${dateLabel(p.createTime)}`),
    h("div", { class: "actions" }, remove),
  );
}
