import { createBrowserKmsClient } from "../../../src/client/browser.js";
import { busy, field, h, replace } from "../dom.js";
import { describeError, isUnreachable } from "../messages.js";
import { parseEndpoint, type Session } from "../session.js";

export interface SignInOptions {
  /** The API endpoint the form starts with: this page's origin, or the one last signed in to. */
  endpoint: string;
  /** Shown above the form (why the last session ended). */
  message?: string | undefined;
  onSignedIn(session: Session): void;
}

export const BAD_ENDPOINT =
  "Enter the API endpoint as an origin only, like https://kms.example.com or http://127.0.0.1:8080 (no path).";

/**
 * Asks for the API endpoint (this page's origin unless the service runs elsewhere) and a
 * principal's bearer token, and keeps them only once the service accepts the token (a one-key
 * `ListKeys`, which any authenticated principal may call).
 */
export function signInView(opts: SignInOptions): HTMLElement {
  const endpoint = h("input", {
    type: "text",
    name: "endpoint",
    inputmode: "url",
    autocomplete: "off",
    autocapitalize: "off",
    spellcheck: "false",
    required: true,
  });
  endpoint.value = opts.endpoint;
  const token = h("input", {
    type: "password",
    name: "token",
    autocomplete: "off",
    spellcheck: "false",
    required: true,
  });
  const submit = h("button", { type: "submit" }, "Sign in");
  const message = h("p", { class: "feedback", "aria-live": "polite" });
  const fail = (text: string) => {
    message.className = "feedback error";
    message.setAttribute("role", "alert");
    replace(message, text);
  };
  if (opts.message) fail(opts.message);
  const form = h(
    "form",
    { class: "card sign-in" },
    h("h1", {}, "KMS console"),
    h(
      "p",
      {},
      "Sign in with a principal's bearer token (",
      h("code", {}, "kms principal create"),
      ", or the admin token in ",
      h("code", {}, "admin-credentials.json"),
      " in the server's data directory — ",
      h("code", {}, "KMS_DATA_DIR"),
      ", by default ",
      h("code", {}, "./data"),
      ").",
    ),
    field("API endpoint", endpoint, "The KMS server's origin; this page's own unless the service runs elsewhere."),
    field("Token", token),
    submit,
    message,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const value = token.value.trim();
    if (!value) return;
    const baseUrl = parseEndpoint(endpoint.value);
    if (!baseUrl) {
      endpoint.setAttribute("aria-invalid", "true");
      fail(BAD_ENDPOINT);
      endpoint.focus();
      return;
    }
    endpoint.removeAttribute("aria-invalid");
    endpoint.value = baseUrl;
    const client = createBrowserKmsClient({ baseUrl, token: value, retry: false });
    void busy(
      submit,
      async () => {
        await client.keys.listKeys({ pageSize: 1 });
        opts.onSignedIn({ token: value, endpoint: baseUrl });
      },
      (err) => {
        if (baseUrl !== location.origin && isUnreachable(err)) {
          fail(
            `The service at ${baseUrl} cannot be reached from this page. Check the API endpoint; ` +
              `its server must list ${location.origin} in KMS_CORS_ORIGINS, and a console served ` +
              `by a KMS server needs ${baseUrl} in that server's KMS_CONSOLE_API_ORIGINS.`,
          );
        } else {
          fail(describeError(err));
        }
      },
    );
  });
  return h("main", { class: "signed-out" }, form);
}
