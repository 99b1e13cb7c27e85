import { createBrowserKmsClient } from "../../src/client/browser.js";
import type { App } from "./app.js";
import { h, replace } from "./dom.js";
import { clearSession, loadSession, saveSession } from "./session.js";
import { aliasesView } from "./views/aliases.js";
import { keyDetailView } from "./views/key-detail.js";
import { keysView } from "./views/keys.js";
import { playgroundView } from "./views/playground.js";
import { signInView } from "./views/sign-in.js";

/**
 * The console shell: the sign-in page without a token, else a header with navigation and the
 * view the hash names (`#/keys`, `#/keys/<id>`, `#/aliases`, `#/playground`). Calls go to the
 * API endpoint chosen at sign-in — this page's origin by default, or another one that allows this
 * page by CORS (`KMS_CORS_ORIGINS`); a console served by the KMS server may only call its own
 * origin and those in `KMS_CONSOLE_API_ORIGINS` (Content-Security-Policy `connect-src`).
 */
const root = document.getElementById("app")!;

function start(message?: string, lastEndpoint: string = location.origin): void {
  const session = loadSession();
  if (!session) {
    replace(
      root,
      signInView({
        endpoint: lastEndpoint,
        message,
        onSignedIn(accepted) {
          saveSession(accepted);
          if (!location.hash) location.hash = "#/keys";
          start();
        },
      }),
    );
    return;
  }
  const app: App = {
    client: createBrowserKmsClient({ baseUrl: session.endpoint, token: session.token, retry: { maxAttempts: 3 } }),
    go(route) {
      location.hash = route;
    },
    signOut(why) {
      clearSession();
      window.removeEventListener("hashchange", show);
      start(why, session.endpoint);
    },
  };
  const main = h("main", { id: "main", tabindex: "-1" });
  const nav = h(
    "nav",
    { "aria-label": "Sections" },
    h("a", { href: "#/keys", "data-section": "keys" }, "Keys"),
    h("a", { href: "#/aliases", "data-section": "aliases" }, "Aliases"),
    h("a", { href: "#/playground", "data-section": "playground" }, "Playground"),
  );
  const signOut = h("button", { type: "button", class: "secondary" }, "Sign out");
  signOut.addEventListener("click", () => app.signOut("You are signed out."));
  replace(root, h("header", {}, h("h1", {}, "KMS"), nav, signOut), main);

  function show(): void {
    const [section = "keys", id] = location.hash.replace(/^#\/?/, "").split("/");
    for (const link of nav.querySelectorAll("a")) {
      if (link.dataset.section === section) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    }
    if (section === "keys" && id) replace(main, keyDetailView(app, decodeURIComponent(id)));
    else if (section === "aliases") replace(main, aliasesView(app));
    else if (section === "playground") replace(main, playgroundView(app));
    else replace(main, keysView(app));
    main.focus();
  }
  window.addEventListener("hashchange", show);
  show();
}

start();
