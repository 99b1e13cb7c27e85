import { KmsError } from "../../../src/domain/errors.js";
import { parsePolicy } from "../../../src/security/policy.js";
import { type App, feedback } from "../app.js";
import { busy, field, h } from "../dom.js";

/**
 * The key policy as JSON, checked in the page before saving with the very parser the service
 * uses (`src/security/policy.ts`), so a malformed document is explained at once — where the JSON
 * breaks, or which statement element is wrong — and never sent.
 */
export function keyPolicy(app: App, keyId: string): HTMLElement {
  const status = feedback(app);
  const editor = h("textarea", {
    name: "policy",
    rows: "12",
    spellcheck: "false",
    class: "mono",
    "aria-describedby": "policy-help",
  });
  const save = h("button", { type: "button" }, "Save policy");
  void app.client.keys
    .getKeyPolicy({ keyId })
    .then((r) => {
      editor.value = pretty(r.policy);
    })
    .catch(status.fail);

  save.addEventListener("click", () => {
    status.clear();
    const problem = policyProblem(editor.value);
    if (problem) {
      editor.setAttribute("aria-invalid", "true");
      status.failText(problem);
      editor.focus();
      return;
    }
    editor.removeAttribute("aria-invalid");
    void busy(
      save,
      async () => {
        await app.client.keys.putKeyPolicy({ keyId, policy: editor.value });
        status.ok("The policy is saved.");
      },
      status.fail,
    );
  });

  return h(
    "section",
    { class: "block", "aria-label": "Key policy" },
    h("h3", {}, "Key policy"),
    h(
      "p",
      { class: "meta", id: "policy-help" },
      'Statements with Effect, Principal ({"KMS": ["name"]} or "*"), Action ("kms:Encrypt", "kms:*") and optional Condition on kms:EncryptionContext:<key>. Admins keep full access whatever it says.',
    ),
    field("Policy (JSON)", editor),
    h("div", { class: "actions" }, save),
    status.el,
  );
}

function pretty(json: string): string {
  try {
    return JSON.stringify(JSON.parse(json), null, 2);
  } catch {
    return json;
  }
}

/** Why the document would be refused, in words; undefined when it is a valid policy. */
export function policyProblem(text: string): string | undefined {
  try {
    JSON.parse(text);
  } catch (err) {
    return `The policy is not valid JSON: ${err instanceof Error ? err.message : String(err)}.`;
  }
  try {
    parsePolicy(text);
    return undefined;
  } catch (err) {
    if (err instanceof KmsError) return err.message;
    throw err;
  }
}
