import { createBrowserKmsClient } from "../../src/client/browser.js";
import type { App } from "./app.js";
import { h, replace } from "./dom.js";
import { clearSession, loadSession, type Session, saveSession } from "./session.js";
import { describeError, isSignedOut } from "./messages.js";
import { aliasesView } from "./views/aliases.js";
import { auditView } from "./views/audit.js";
import { dashboardView } from "./views/dashboard.js";
import { keyDetailView } from "./views/key-detail.js";
import { keysView } from "./views/keys.js";
import { playgroundView } from "./views/playground.js";
import { principalsView } from "./views/principals.js";
import { signInView } from "./views/sign-in.js";

/**
 * The console shell: the sign-in page without a token, else a header with navigation, who is
 * signed in, and the view the hash names (`#/keys`, `#/keys/<id>`, `#/aliases`, `#/principals`,
 * `#/audit?key=<id>`, `#/dashboard`, `#/playground`). Principals and Audit are shown to admins
 * only (the service refuses them to anyone else anyway). Calls go to the
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
  const client = createBrowserKmsClient({ baseUrl: session.endpoint, token: session.token, retry: { maxAttempts: 3 } });
  replace(root, h("main", { class: "signed-out", "aria-busy": "true" }, h("p", {}, "Signing in…")));
  client.admin.getCallerIdentity({}).then(
    (identity) => shell(session, client, { name: identity.name, admin: identity.admin }),
    (err: unknown) => {
      // Whatever the failure, the stored session is dropped: signing in again checks the token afresh.
      clearSession();
      start(isSignedOut(err) ? describeError(err) : `Could not sign in: ${describeError(err)}`, session.endpoint);
    },
  );
}

function shell(session: Session, client: App["client"], identity: App["identity"]): void {
  const app: App = {
    client,
    identity,
    endpoint: session.endpoint,
    token: session.token,
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
    identity.admin && h("a", { href: "#/principals", "data-section": "principals" }, "Principals"),
    identity.admin && h("a", { href: "#/audit", "data-section": "audit" }, "Audit"),
    h("a", { href: "#/dashboard", "data-section": "dashboard" }, "Dashboard"),
    h("a", { href: "#/playground", "data-section": "playground" }, "Playground"),
  );
  const signOut = h("button", { type: "button", class: "secondary" }, "Sign out");
  signOut.addEventListener("click", () => app.signOut("You are signed out."));
  const who = h(
    "span",
    { class: "who", id: "signed-in-as" },
    "Signed in as ",
    h("strong", {}, identity.name),
    identity.admin ? " (admin)" : "",
  );
  replace(root, h("header", {}, h("h1", {}, "KMS"), nav, who, signOut), main);

  function show(): void {
    const [path = "", query = ""] = location.hash.replace(/^#\/?/, "").split("?");
    const [section = "keys", id] = path.split("/");
    for (const link of nav.querySelectorAll("a")) {
      if (link.dataset.section === section) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    }
    if (section === "keys" && id) replace(main, keyDetailView(app, decodeURIComponent(id)));
    else if (section === "aliases") replace(main, aliasesView(app));
    else if (section === "playground") replace(main, playgroundView(app));
    else if (section === "principals" && identity.admin) replace(main, principalsView(app));
    else if (section === "audit" && identity.admin) replace(main, auditView(app, new URLSearchParams(query)));
    else if (section === "dashboard") replace(main, dashboardView(app));
    else replace(main, keysView(app));
    main.focus();
  }
  window.addEventListener("hashchange", show);
  show();
}

start();
