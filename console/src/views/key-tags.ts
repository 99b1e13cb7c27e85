import type { KeyMetadata } from "../../../gen/kms/v1/types_pb.js";
import { type App, feedback } from "../app.js";
import { onConfirmedClick } from "../confirm.js";
import { busy, field, h } from "../dom.js";

/** A key's tags: add or replace one, remove one after a confirmation. */
export function keyTags(app: App, key: KeyMetadata, changed: (key?: KeyMetadata) => Promise<void>): HTMLElement {
  const status = feedback(app);
  const keyId = key.keyId;
  const rows = Object.entries(key.tags).sort(([a], [b]) => a.localeCompare(b));
  const list = h(
    "ul",
    { class: "plain tags", id: "tag-list" },
    ...rows.map(([k, v]) => {
      const remove = h("button", { type: "button", class: "danger small", "aria-label": `Remove tag ${k}` }, "Remove");
      onConfirmedClick(
        remove,
        status,
        () => ({ question: `Remove the tag ${k}?`, detail: `Its value "${v}" is deleted.`, action: "Remove" }),
        async () => changed((await app.client.keys.untagKey({ keyId, tagKeys: [k] })).key),
      );
      return h("li", { "data-tag": k }, h("span", { class: "mono" }, `${k} = ${v}`), " ", remove);
    }),
  );
  const tagKey = h("input", { type: "text", name: "tagKey", required: true, maxlength: "128" });
  const tagValue = h("input", { type: "text", name: "tagValue", maxlength: "256" });
  const add = h("button", { type: "submit", class: "secondary" }, "Add tag");
  const form = h(
    "form",
    { class: "inline", "aria-label": "Add a tag" },
    field("Tag key", tagKey),
    field("Tag value", tagValue),
    add,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    status.clear();
    void busy(
      add,
      async () =>
        changed((await app.client.keys.tagKey({ keyId, tags: { [tagKey.value.trim()]: tagValue.value } })).key),
      status.fail,
    );
  });
  return h(
    "section",
    { class: "block", "aria-label": "Tags" },
    h("h3", {}, `Tags (${rows.length})`),
    rows.length ? list : h("p", { class: "meta" }, "No tags."),
    form,
    status.el,
  );
}
