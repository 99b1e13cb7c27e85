import type { KeyMetadata, KeySpec, KeyUsage } from "../../../gen/kms/v1/types_pb.js";
import { KeyState } from "../../../gen/kms/v1/types_pb.js";
import { type App, type Feedback, feedback } from "../app.js";
import { busy, field, h, replace, select } from "../dom.js";
import { dateLabel, dateOf, KEY_SPECS, KEY_USAGES, specLabel, stateLabel, usageLabel, usagesFor } from "../format.js";
import { listAll } from "../list-all.js";
import { matchesKey, type KeyRow, sortKeys } from "../key-search.js";

const ROWS_PER_PAGE = 20;
const ANY = "";

/**
 * Keys as a table: every key and alias is read once (page by page), then searched (id, alias,
 * description, tag), filtered (spec, usage, state), sorted by creation date (newest first) and
 * paged here, so a new key is on the first page at once and every change of a filter is instant.
 */
export function keysView(app: App): HTMLElement {
  const status = feedback(app);
  let rows: KeyRow[] = [];
  let page = 0;
  let highlight = "";

  const search = h("input", { type: "search", name: "search", placeholder: "id, alias, description or tag" });
  const spec = select("spec", [[ANY, "Any type"], ...KEY_SPECS.map(([v, l]) => [String(v), l] as const)]);
  const usage = select("usage", [[ANY, "Any usage"], ...KEY_USAGES.map(([v, l]) => [String(v), l] as const)]);
  const states = [KeyState.ENABLED, KeyState.DISABLED, KeyState.PENDING_DELETION];
  const state = select("state", [[ANY, "Any state"], ...states.map((s) => [String(s), stateLabel(s)] as const)]);
  const order = select("order", [
    ["newest", "Newest first"],
    ["oldest", "Oldest first"],
  ]);
  const body = h("tbody", {});
  const count = h("p", { class: "meta", "aria-live": "polite" });
  const prev = h("button", { type: "button", class: "secondary" }, "Previous");
  const next = h("button", { type: "button", class: "secondary" }, "Next");
  const pageLabel = h("span", { class: "page" });

  function render(): void {
    const query = search.value.trim().toLowerCase();
    const shown = sortKeys(
      rows.filter((r) =>
        matchesKey(r, query, {
          spec: spec.value === ANY ? undefined : (Number(spec.value) as KeySpec),
          usage: usage.value === ANY ? undefined : (Number(usage.value) as KeyUsage),
          state: state.value === ANY ? undefined : (Number(state.value) as KeyState),
        }),
      ),
      order.value === "oldest",
    );
    const pages = Math.max(1, Math.ceil(shown.length / ROWS_PER_PAGE));
    page = Math.min(page, pages - 1);
    const slice = shown.slice(page * ROWS_PER_PAGE, (page + 1) * ROWS_PER_PAGE);
    replace(
      body,
      ...(slice.length
        ? slice.map((r) => keyRow(r, r.key.keyId === highlight))
        : [h("tr", {}, h("td", { colspan: "6", class: "empty" }, rows.length ? "No key matches." : "No keys yet."))]),
    );
    replace(count, `${shown.length} of ${rows.length} keys`);
    prev.disabled = page === 0;
    next.disabled = page >= pages - 1;
    replace(pageLabel, `Page ${page + 1} of ${pages}`);
  }

  async function load(): Promise<void> {
    const [keys, aliases] = await Promise.all([
      listAll((pageToken) =>
        app.client.keys.listKeys({ pageSize: 1000, pageToken }).then((p) => [p.keys, p.nextPageToken] as const),
      ),
      listAll((pageToken) =>
        app.client.keys.listAliases({ pageSize: 1000, pageToken }).then((p) => [p.aliases, p.nextPageToken] as const),
      ),
    ]);
    const byKey = new Map<string, string[]>();
    for (const a of aliases) byKey.set(a.targetKeyId, [...(byKey.get(a.targetKeyId) ?? []), a.aliasName]);
    rows = keys.map((key) => ({
      key,
      aliases: byKey.get(key.keyId) ?? [],
      created: dateOf(key.createTime)?.getTime() ?? 0,
    }));
    render();
  }
  for (const control of [search, spec, usage, state, order]) {
    control.addEventListener("input", () => {
      page = 0;
      render();
    });
  }
  prev.addEventListener("click", () => {
    page--;
    render();
  });
  next.addEventListener("click", () => {
    page++;
    render();
  });
  void load().catch(status.fail);

  const created = async (key: KeyMetadata) => {
    highlight = key.keyId;
    order.value = "newest";
    page = 0;
    await load();
    status.okWith(
      "Created key ",
      h("a", { href: `#/keys/${encodeURIComponent(key.keyId)}`, class: "mono" }, key.keyId),
      ".",
    );
  };

  return h(
    "div",
    { class: "view" },
    createForm(app, status, created),
    h(
      "section",
      { class: "card", "aria-label": "Keys" },
      h("h2", {}, "Keys"),
      status.el,
      h(
        "div",
        { class: "row filters" },
        field("Search", search),
        field("Key type", spec),
        field("Usage", usage),
        field("State", state),
        field("Sort by created", order),
      ),
      count,
      h(
        "table",
        { class: "data", id: "key-table" },
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            ...["Key", "Alias", "Type", "Usage", "State", "Created"].map((c) => h("th", { scope: "col" }, c)),
          ),
        ),
        body,
      ),
      h("div", { class: "pager" }, prev, pageLabel, next),
    ),
  );
}

function keyRow(r: KeyRow, isNew: boolean): HTMLElement {
  const { key } = r;
  const cell = (label: string, ...children: (Node | string)[]) => h("td", { "data-label": label }, ...children);
  return h(
    "tr",
    { "data-key-id": key.keyId, class: isNew ? "new" : undefined },
    cell(
      "Key",
      h("a", { href: `#/keys/${encodeURIComponent(key.keyId)}`, class: "mono" }, key.keyId),
      h("span", { class: "description" }, key.description || "(no description)"),
    ),
    cell("Alias", h("span", { class: "mono", "data-field": "aliases" }, r.aliases.join(", ") || "—")),
    cell("Type", specLabel(key.keySpec)),
    cell("Usage", usageLabel(key.keyUsage)),
    cell("State", h("span", { class: `state state-${key.keyState}`, "data-field": "state" }, stateLabel(key.keyState))),
    cell("Created", dateLabel(key.createTime)),
  );
}

/** The create form: the usage list follows the key type, so only combinations the service accepts are offered. */
function createForm(app: App, status: Feedback, created: (key: KeyMetadata) => Promise<void>): HTMLElement {
  const spec = select(
    "keySpec",
    KEY_SPECS.map(([v, l]) => [String(v), l] as const),
  );
  const usage = h("select", { name: "keyUsage" });
  const fillUsages = () => {
    const options = usagesFor(Number(spec.value) as KeySpec);
    replace(usage, ...options.map(([v, l]) => h("option", { value: String(v) }, l)));
  };
  fillUsages();
  spec.addEventListener("change", fillUsages);
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
    status.clear();
    void busy(
      submit,
      async () => {
        const { key } = await app.client.keys.createKey({
          keySpec: Number(spec.value) as KeySpec,
          keyUsage: Number(usage.value) as KeyUsage,
          description: description.value,
        });
        description.value = "";
        if (key) await created(key);
      },
      status.fail,
    );
  });
  return form;
}
