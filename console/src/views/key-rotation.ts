import type { KeyMetadata } from "../../../gen/kms/v1/types_pb.js";
import { type App, feedback } from "../app.js";
import { busy, field, h } from "../dom.js";
import { dateLabel, isRotatable } from "../format.js";

/** Automatic rotation of a symmetric key: on or off, and its period (90–2560 days). */
export function keyRotation(app: App, key: KeyMetadata, changed: (key?: KeyMetadata) => Promise<void>): HTMLElement {
  const status = feedback(app);
  const summary = key.automaticRotation
    ? `Automatic rotation is on: every ${key.rotationPeriodDays} days, next ${dateLabel(key.nextRotationTime)}.`
    : "Automatic rotation is off.";
  if (!isRotatable(key.keySpec)) {
    return h(
      "section",
      { class: "block", "aria-label": "Rotation" },
      h("h3", {}, "Rotation"),
      h("p", { class: "meta" }, "Only symmetric (AES) keys rotate."),
    );
  }
  const on = h("input", {
    type: "checkbox",
    name: "automaticRotation",
    id: "rotation-on",
    checked: key.automaticRotation,
  });
  const days = h("input", {
    type: "number",
    name: "rotationPeriodDays",
    min: "90",
    max: "2560",
    value: String(key.rotationPeriodDays || 365),
  });
  const save = h("button", { type: "submit", class: "secondary" }, "Save rotation");
  const form = h(
    "form",
    { class: "inline", "aria-label": "Automatic rotation" },
    h("span", { class: "check" }, on, h("label", { for: "rotation-on" }, "Rotate automatically")),
    field("Every (days, 90–2560)", days),
    save,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    status.clear();
    void busy(
      save,
      async () => {
        const { key: updated } = await app.client.keys.updateRotationPolicy({
          keyId: key.keyId,
          automaticRotation: on.checked,
          rotationPeriodDays: Number(days.value),
        });
        await changed(updated);
      },
      status.fail,
    );
  });
  return h(
    "section",
    { class: "block", "aria-label": "Rotation" },
    h("h3", {}, "Rotation"),
    h("p", { "data-field": "rotation" }, summary),
    form,
    status.el,
  );
}
