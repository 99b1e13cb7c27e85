import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { AuditOutcome, AuditProblem, type VerifyAuditChainResponse } from "../../../gen/kms/v1/admin_service_pb.js";
import { type App, feedback } from "../app.js";
import { busy, field, h, replace, select } from "../dom.js";
import { FormatError } from "../format.js";
import { auditTable } from "./audit-table.js";

const PAGE_SIZE = 50;

const PROBLEMS: Record<AuditProblem, string> = {
  [AuditProblem.UNSPECIFIED]: "",
  [AuditProblem.HASH]: "its content does not match its hash (it was changed)",
  [AuditProblem.LINK]: "it does not follow the record before it (a record was deleted, inserted or changed)",
  [AuditProblem.ORDER]: "it is out of order (records were swapped or renumbered)",
  [AuditProblem.HEAD]: "the chain ends early (its newest records were deleted)",
};

/**
 * The audit trail (admins only): filter by principal, key, operation, outcome and time range;
 * pages go from the newest record back. The chain's verification runs on demand and names the
 * first broken record. `#/audit?key=<id>` opens it filtered to one key.
 */
export function auditView(app: App, params: URLSearchParams): HTMLElement {
  const status = feedback(app);
  const principal = h("input", { type: "text", name: "principal", spellcheck: "false" });
  const keyId = h("input", { type: "text", name: "keyId", spellcheck: "false", value: params.get("key") ?? "" });
  const operation = h("input", { type: "text", name: "operation", spellcheck: "false", placeholder: "Encrypt" });
  const outcome = select("outcome", [
    [String(AuditOutcome.UNSPECIFIED), "Any outcome"],
    [String(AuditOutcome.OK), "Succeeded"],
    [String(AuditOutcome.ERROR), "Failed"],
  ]);
  const from = h("input", { type: "datetime-local", name: "from" });
  const to = h("input", { type: "datetime-local", name: "to" });
  const apply = h("button", { type: "submit" }, "Show records");
  const results = h("div", { id: "audit-results" });
  const older = h("button", { type: "button", class: "secondary", hidden: true }, "Older records");
  const newest = h("button", { type: "button", class: "secondary", hidden: true }, "Newest records");
  let nextToken = "";
  /** Only the newest request may draw: an older answer arriving late must not replace a filtered one. */
  let latest = 0;

  async function load(pageToken: string): Promise<void> {
    const mine = ++latest;
    const page = await app.client.admin.listAuditRecords({
      principal: principal.value.trim(),
      keyId: keyId.value.trim(),
      operation: operation.value.trim(),
      outcome: Number(outcome.value) as AuditOutcome,
      startTime: time(from, "start"),
      endTime: time(to, "end"),
      pageSize: PAGE_SIZE,
      pageToken,
    });
    if (mine !== latest) return;
    nextToken = page.nextPageToken;
    replace(results, auditTable(page.records, { showKey: true }));
    older.hidden = nextToken === "";
    newest.hidden = pageToken === "";
  }
  const form = h(
    "form",
    { class: "card", "aria-label": "Filter the audit trail" },
    h("h2", {}, "Audit trail"),
    h(
      "div",
      { class: "row filters" },
      field("Principal", principal),
      field("Key ID", keyId),
      field("Operation", operation, "A method (Encrypt) or service/method"),
      field("Outcome", outcome),
    ),
    h("div", { class: "row" }, field("From", from), field("Until", to)),
    apply,
  );
  const run = (button: HTMLButtonElement, token: () => string) => () => {
    status.clear();
    void busy(button, () => load(token()), status.fail);
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    run(apply, () => "")();
  });
  older.addEventListener(
    "click",
    run(older, () => nextToken),
  );
  newest.addEventListener(
    "click",
    run(newest, () => ""),
  );
  void load("").catch(status.fail);

  return h(
    "div",
    { class: "view" },
    chainCard(app),
    form,
    h(
      "section",
      { class: "card", "aria-label": "Audit records" },
      h("h2", {}, "Records, newest first"),
      status.el,
      results,
      h("div", { class: "pager" }, newest, older),
    ),
  );
}

function time(input: HTMLInputElement, which: string) {
  if (!input.value) return undefined;
  const date = new Date(input.value);
  if (Number.isNaN(date.getTime())) throw new FormatError(`The ${which} time is not a valid date and time.`);
  return timestampFromDate(date);
}

function chainCard(app: App): HTMLElement {
  const status = feedback(app);
  const result = h("p", { id: "chain-status", "aria-live": "polite" }, "Not verified yet.");
  const verify = h("button", { type: "button", class: "secondary" }, "Verify chain");
  const check = () =>
    busy(
      verify,
      async () => {
        replace(result, "Verifying…");
        replace(result, ...chainSummary(await app.client.admin.verifyAuditChain({})));
      },
      status.fail,
    );
  verify.addEventListener("click", () => void check());
  void check();
  return h(
    "section",
    { class: "card", "aria-label": "Chain verification" },
    h("h2", {}, "Hash chain"),
    result,
    h("div", { class: "actions" }, verify),
    status.el,
  );
}

function chainSummary(v: VerifyAuditChainResponse): (string | HTMLElement)[] {
  if (v.intact) {
    return [
      h("strong", { class: "state state-1", "data-field": "chain" }, "Intact"),
      `: ${v.recordCount} records; head #${v.headSeq} `,
      h("span", { class: "mono" }, v.headHash),
    ];
  }
  return [
    h("strong", { class: "state state-3", "data-field": "chain" }, "Broken"),
    `: the first bad record is #${v.brokenSeq}: ${PROBLEMS[v.problem]}.`,
  ];
}
