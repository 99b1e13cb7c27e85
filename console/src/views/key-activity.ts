import { type App, feedback } from "../app.js";
import { h, replace } from "../dom.js";
import { auditTable } from "./audit-table.js";

/** The key's last 20 audited calls (admins only: the audit trail is the service's, not the key's). */
export function keyActivity(app: App, keyId: string): HTMLElement {
  const status = feedback(app);
  const body = h("div", {});
  if (!app.identity.admin) {
    replace(body, h("p", { class: "meta" }, "Only admins can read the audit trail."));
  } else {
    void app.client.admin
      .listAuditRecords({ keyId, pageSize: 20 })
      .then((page) =>
        replace(
          body,
          auditTable(page.records, { showKey: false }),
          h("a", { href: `#/audit?key=${encodeURIComponent(keyId)}` }, "All activity in the audit trail"),
        ),
      )
      .catch(status.fail);
  }
  return h(
    "section",
    { class: "block", "aria-label": "Recent activity" },
    h("h3", {}, "Recent activity"),
    status.el,
    body,
  );
}
