import type { AuditRecord } from "../../../gen/kms/v1/admin_service_pb.js";
import { AuditOutcome } from "../../../gen/kms/v1/admin_service_pb.js";
import { h } from "../dom.js";
import { dateLabel } from "../format.js";

/** Audit records as a table, newest first (as the service returns them). */
export function auditTable(records: AuditRecord[], opts: { showKey: boolean }): HTMLElement {
  if (records.length === 0) return h("p", { class: "meta" }, "No records.");
  const headings = ["#", "Time", "Principal", "Operation", ...(opts.showKey ? ["Key"] : []), "Outcome", "Request id"];
  const cell = (label: string, ...children: (Node | string)[]) => h("td", { "data-label": label }, ...children);
  return h(
    "table",
    { class: "data audit" },
    h("thead", {}, h("tr", {}, ...headings.map((c) => h("th", { scope: "col" }, c)))),
    h(
      "tbody",
      {},
      ...records.map((r) =>
        h(
          "tr",
          { "data-seq": String(r.seq), "data-request-id": r.requestId },
          cell("#", String(r.seq)),
          cell("Time", dateLabel(r.time)),
          cell("Principal", r.principal),
          cell("Operation", h("span", { class: "mono" }, r.operation.replace(/^kms\.v1\./, ""))),
          ...(opts.showKey
            ? [
                cell(
                  "Key",
                  r.keyId ? h("a", { href: `#/keys/${encodeURIComponent(r.keyId)}`, class: "mono" }, r.keyId) : "—",
                ),
              ]
            : []),
          cell(
            "Outcome",
            h(
              "span",
              { class: r.outcome === AuditOutcome.OK ? "state state-1" : "state state-3", "data-field": "outcome" },
              r.outcome === AuditOutcome.OK ? "OK" : r.errorCode || "Error",
            ),
          ),
          cell("Request id", h("span", { class: "mono" }, r.requestId)),
        ),
      ),
    ),
  );
}
