import { KeyFormat, type KeyPairSpec } from "../../../gen/kms/v1/types_pb.js";
import { type App, type Feedback, feedback } from "../app.js";
import { copyable, copyButton } from "../copy.js";
import { busy, field, h, replace, select } from "../dom.js";
import { DEFAULT_PAIR_SPEC, fromBase64, KEY_PAIR_SPECS, parseContext, toBase64 } from "../format.js";

/**
 * Try the service with text: AdvanceEncrypt/AdvanceDecrypt (self-describing ciphertext, so
 * decrypting needs no key id) and a data key pair. Plaintext stays in this page; nothing is stored.
 */
export function playgroundView(app: App): HTMLElement {
  const keys = h("datalist", { id: "known-keys" });
  void app.client.keys
    .listKeys({ pageSize: 100 })
    .then((page) => keys.append(...page.keys.map((k) => h("option", { value: k.keyId }, k.description))))
    .catch(() => undefined);
  return h("div", { class: "view" }, keys, cryptoCard(app, feedback(app)), pairCard(app, feedback(app)));
}

function keyInput(name: string): HTMLInputElement {
  return h("input", { type: "text", name, list: "known-keys", required: true, spellcheck: "false" });
}

function cryptoCard(app: App, status: Feedback): HTMLElement {
  const keyId = keyInput("keyId");
  const plaintext = h("textarea", { name: "plaintext", rows: "3" });
  const context = h("textarea", { name: "context", rows: "2", placeholder: "purpose=demo" });
  const ciphertext = h("textarea", { name: "ciphertext", rows: "4", spellcheck: "false", class: "mono" });
  const decrypted = h("output", { name: "decrypted", id: "decrypted", class: "result" });
  const encrypt = h("button", { type: "button" }, "Encrypt");
  const decrypt = h("button", { type: "button", class: "secondary" }, "Decrypt");

  encrypt.addEventListener("click", () => {
    status.clear();
    void busy(
      encrypt,
      async () => {
        const res = await app.client.crypto.advanceEncrypt({
          keyId: keyId.value.trim(),
          plaintext: new TextEncoder().encode(plaintext.value),
          encryptionContext: parseContext(context.value),
        });
        ciphertext.value = toBase64(res.ciphertextBlob);
        status.ok(`Encrypted with version ${res.keyVersionId}.`);
      },
      status.fail,
    );
  });
  decrypt.addEventListener("click", () => {
    status.clear();
    replace(decrypted);
    void busy(
      decrypt,
      async () => {
        const res = await app.client.crypto.advanceDecrypt({
          ciphertextBlob: fromBase64(ciphertext.value),
          encryptionContext: parseContext(context.value),
        });
        replace(decrypted, new TextDecoder("utf-8", { fatal: false }).decode(res.plaintext));
        status.ok(`Decrypted with key ${res.keyId}.`);
      },
      status.fail,
    );
  });

  return h(
    "section",
    { class: "card", "aria-label": "Encrypt and decrypt" },
    h("h2", {}, "Encrypt and decrypt"),
    field("Key ID or alias", keyId),
    field("Text", plaintext),
    field("Encryption context", context, "One name=value per line; decrypting needs the same pairs."),
    h("div", { class: "actions" }, encrypt),
    field("Ciphertext (base64)", ciphertext),
    h(
      "div",
      { class: "actions" },
      decrypt,
      copyButton(() => ciphertext.value, "ciphertext"),
    ),
    h("div", { class: "field" }, h("span", { class: "label" }, "Decrypted text"), decrypted),
    status.el,
  );
}

function pairCard(app: App, status: Feedback): HTMLElement {
  const keyId = keyInput("pairKeyId");
  const spec = select(
    "keyPairSpec",
    KEY_PAIR_SPECS.map(([v, l]) => [String(v), l] as const),
    String(DEFAULT_PAIR_SPEC),
  );
  const withPrivate = h("input", { type: "checkbox", name: "withPrivate", id: "with-private" });
  const generate = h("button", { type: "button" }, "Generate key pair");
  const out = h("div", { class: "pair" });

  generate.addEventListener("click", () => {
    status.clear();
    replace(out);
    void busy(
      generate,
      async () => {
        const req = {
          keyId: keyId.value.trim(),
          keyPairSpec: Number(spec.value) as KeyPairSpec,
          keyFormat: KeyFormat.PEM,
        };
        const res = withPrivate.checked
          ? await app.client.dataKeys.generateDataKeyPair(req)
          : await app.client.dataKeys.generateDataKeyPairWithoutPlaintext(req);
        const text = new TextDecoder();
        const publicPem = text.decode(res.publicKey);
        const wrapped = toBase64(res.privateKeyCiphertextBlob);
        const iv = toBase64(res.iv);
        replace(
          out,
          h("h3", {}, "Public key ", copyButton(publicPem, "public key")),
          h("pre", { id: "public-key", class: "mono" }, publicPem),
          h(
            "h3",
            {},
            "Private key, encrypted under the KMS key (base64) ",
            copyButton(wrapped, "encrypted private key"),
          ),
          h("pre", { class: "mono wrap", id: "private-key-ciphertext" }, wrapped),
          h("p", { class: "meta" }, "To decrypt it, call Decrypt with this ciphertext and these values:"),
          h(
            "dl",
            { class: "meta-list", id: "pair-decrypt-params" },
            h("dt", {}, "Key ID"),
            h("dd", { "data-field": "key-id" }, copyable(res.keyId, "key ID")),
            h("dt", {}, "Key version"),
            h("dd", { "data-field": "key-version" }, copyable(res.keyVersionId, "key version ID")),
            h("dt", {}, "IV (base64)"),
            h("dd", { "data-field": "iv" }, copyable(iv, "IV")),
            h("dt", {}, "Algorithm"),
            h("dd", { "data-field": "algorithm" }, copyable(res.algorithm, "algorithm")),
          ),
          "privateKeyPlaintext" in res &&
            h(
              "details",
              {},
              h("summary", {}, "Private key (plaintext — keep it secret)"),
              h("pre", { class: "mono" }, text.decode(res.privateKeyPlaintext)),
            ),
        );
        status.ok(`Generated with version ${res.keyVersionId}.`);
      },
      status.fail,
    );
  });

  return h(
    "section",
    { class: "card", "aria-label": "Data key pair" },
    h("h2", {}, "Data key pair"),
    field("Key ID or alias", keyId),
    field("Key pair type", spec),
    h(
      "div",
      { class: "check" },
      withPrivate,
      h("label", { for: "with-private" }, "Also return the private key in plaintext"),
    ),
    h("div", { class: "actions" }, generate),
    status.el,
    out,
  );
}
