import type { KmsClient } from "../../src/client/browser.js";
import { type Child, h, replace } from "./dom.js";
import { describeError, isSignedOut } from "./messages.js";

/** What every view gets from the shell. */
export interface App {
  client: KmsClient;
  /** Who is signed in (`AdminService.GetCallerIdentity`): admins see Principals and the audit trail. */
  identity: { name: string; admin: boolean };
  /** The API's origin and the token, for the one plain HTTP call (`/metrics`). */
  endpoint: string;
  token: string;
  /** Shows a route (`#/keys/<id>`). */
  go(route: string): void;
  /** Ends the session (the token was refused) and shows `message` on the sign-in page. */
  signOut(message?: string): void;
}

/** A view's message line: failures in words (`role="alert"`), successes as status. */
export interface Feedback {
  el: HTMLElement;
  ok(text: string): void;
  /** A success message with markup (a link to what was made). */
  okWith(...children: Child[]): void;
  fail(err: unknown): void;
  /** A failure the console found itself, before any call. */
  failText(text: string): void;
  clear(): void;
}

export function feedback(app: App): Feedback {
  const el = h("p", { class: "feedback", "aria-live": "polite" });
  const show = (kind: "ok" | "error", role: string, ...children: Child[]) => {
    el.className = `feedback ${kind}`;
    el.setAttribute("role", role);
    replace(el, ...children);
  };
  // Plain closures, not methods: views pass `status.fail` around as a callback.
  return {
    el,
    ok: (text) => show("ok", "status", text),
    okWith: (...children) => show("ok", "status", ...children),
    fail(err) {
      const text = describeError(err);
      if (isSignedOut(err)) {
        app.signOut(text);
        return;
      }
      show("error", "alert", text);
    },
    failText: (text) => show("error", "alert", text),
    clear() {
      el.className = "feedback";
      el.removeAttribute("role");
      replace(el);
    },
  };
}
