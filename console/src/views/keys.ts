import type { KeyMetadata } from "../../../gen/kms/v1/types_pb.js";
import type { KeySpec, KeyUsage } from "../../../gen/kms/v1/types_pb.js";
import { type App, feedback } from "../app.js";
import { busy, field, h, replace, select } from "../dom.js";
import { defaultUsage, KEY_SPECS, KEY_USAGES, specLabel, stateLabel } from "../format.js";

const PAGE_SIZE = 20;

/** The key list (paged with the service's page tokens) and the create form. */
export function keysView(app: App): HTMLElement {
  const status = feedback(app);
  const list = h("ul", { class: "cards", id: "key-list", "aria-label": "Keys" });
  const prev = h("button", { type: "button", class: "secondary" }, "Previous");
  const next = h("button", { type: "button", class: "secondary" }, "Next");
  const pageLabel = h("span", { class: "page" });
  /** Page tokens of the pages before the one shown; "" is the first page. */
  const tokens: string[] = [];
  let current = "";
  let nextToken = "";

  async function load(token: string): Promise<void> {
    const page = await app.client.keys.listKeys({ pageSize: PAGE_SIZE, pageToken: token });
    current = token;
    nextToken = page.nextPageToken;
    replace(list, ...(page.keys.length ? page.keys.map(keyCard) : [h("li", { class: "empty" }, "No keys yet.")]));
    prev.disabled = tokens.length === 0;
    next.disabled = nextToken === "";
    replace(pageLabel, `Page ${tokens.length + 1}`);
  }
  const reload = (token: string) => load(token).catch(status.fail);
  prev.addEventListener("click", () => void reload(tokens.pop() ?? ""));
  next.addEventListener("click", () => {
    tokens.push(current);
    void reload(nextToken);
  });
  void reload("");

  return h(
    "div",
    { class: "view" },
    createForm(app, status, async () => {
      tokens.length = 0;
      await load("");
    }),
    h(
      "section",
      { class: "card" },
      h("h2", {}, "Keys"),
      status.el,
      list,
      h("div", { class: "pager" }, prev, pageLabel, next),
    ),
  );
}

function keyCard(key: KeyMetadata): HTMLElement {
  return h(
    "li",
    { class: "key", "data-key-id": key.keyId },
    h("a", { href: `#/keys/${encodeURIComponent(key.keyId)}`, class: "mono" }, key.keyId),
    h("span", { class: "description" }, key.description || "(no description)"),
    h(
      "span",
      { class: "meta" },
      specLabel(key.keySpec),
      " · ",
      h("span", { class: `state state-${key.keyState}`, "data-field": "state" }, stateLabel(key.keyState)),
    ),
  );
}

function createForm(app: App, status: ReturnType<typeof feedback>, created: () => Promise<void>): HTMLElement {
  const spec = select(
    "keySpec",
    KEY_SPECS.map(([v, l]) => [String(v), l] as const),
  );
  const usage = select(
    "keyUsage",
    KEY_USAGES.map(([v, l]) => [String(v), l] as const),
  );
  spec.addEventListener("change", () => {
    usage.value = String(defaultUsage(Number(spec.value) as KeySpec));
  });
  const description = h("input", { type: "text", name: "description", maxlength: "8192" });
  const submit = h("button", { type: "submit" }, "Create key");
  const form = h(
    "form",
    { class: "card", "aria-label": "Create a key" },
    h("h2", {}, "Create a key"),
    h("div", { class: "row" }, field("Key type", spec), field("Usage", usage)),
    field("Description", description),
    submit,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void busy(
      submit,
      async () => {
        const { key } = await app.client.keys.createKey({
          keySpec: Number(spec.value) as KeySpec,
          keyUsage: Number(usage.value) as KeyUsage,
          description: description.value,
        });
        description.value = "";
        await created();
        status.ok(`Created key ${key?.keyId ?? ""}.`);
      },
      status.fail,
    );
  });
  return form;
}
