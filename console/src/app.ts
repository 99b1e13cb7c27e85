import type { KmsClient } from "../../src/client/browser.js";
import { h, replace } from "./dom.js";
import { describeError, isSignedOut } from "./messages.js";

/** What every view gets from the shell. */
export interface App {
  client: KmsClient;
  /** Shows a route (`#/keys/<id>`). */
  go(route: string): void;
  /** Ends the session (the token was refused) and shows `message` on the sign-in page. */
  signOut(message?: string): void;
}

/** A view's message line: failures in words (`role="alert"`), successes as status. */
export interface Feedback {
  el: HTMLElement;
  ok(text: string): void;
  fail(err: unknown): void;
  clear(): void;
}

export function feedback(app: App): Feedback {
  const el = h("p", { class: "feedback", "aria-live": "polite" });
  return {
    el,
    ok(text) {
      el.className = "feedback ok";
      el.setAttribute("role", "status");
      replace(el, text);
    },
    fail(err) {
      const text = describeError(err);
      if (isSignedOut(err)) {
        app.signOut(text);
        return;
      }
      el.className = "feedback error";
      el.setAttribute("role", "alert");
      replace(el, text);
    },
    clear() {
      el.className = "feedback";
      el.removeAttribute("role");
      replace(el);
    },
  };
}
