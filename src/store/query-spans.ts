import { SpanKind, SpanStatusCode, type Tracer, trace } from "@opentelemetry/api";
import type { LogEvent } from "kysely";
import type { StoreDialect } from "./schema.js";

/** `db.system.name` per dialect (OpenTelemetry database semantic conventions). */
const DB_SYSTEM = { postgres: "postgresql", sqlite: "sqlite" } as const satisfies Record<StoreDialect, string>;

const OPERATION = /^\s*(\w+)/;
const TABLE = /\b(?:from|into|update)\s+"?(\w+)"?/i;

/**
 * A Kysely `log` hook that records each statement as a client span beneath the call that ran it
 * (Kysely calls the hook in the caller's async context, right after the statement, with its
 * duration, so the span is opened back-dated). Statements outside a call (migrations, the
 * rotation scheduler, cache checks) make no span: a trace is a call's. Named `OPERATION table` like the database
 * conventions' summary. The SQL text and its parameters are left out: parameters carry wrapped
 * key material and a few statements are built with literal values; a driver's error message may
 * quote a row, so only its SQLSTATE (`error.type`) is kept.
 */
export function querySpans(tracer: Tracer, dialect: StoreDialect): (event: LogEvent) => void {
  return (event) => {
    if (!trace.getActiveSpan()) return;
    const sql = event.query.sql;
    const operation = OPERATION.exec(sql)?.[1]?.toUpperCase() ?? "QUERY";
    const table = TABLE.exec(sql)?.[1];
    const end = Date.now();
    const span = tracer.startSpan(table ? `${operation} ${table}` : operation, {
      kind: SpanKind.CLIENT,
      startTime: end - event.queryDurationMillis,
      attributes: {
        "db.system.name": DB_SYSTEM[dialect],
        "db.operation.name": operation,
        ...(table ? { "db.collection.name": table } : {}),
      },
    });
    if (event.level === "error") {
      const code = (event.error as { code?: unknown } | null)?.code;
      span.setAttribute("error.type", typeof code === "string" && /^[\w.-]{1,40}$/.test(code) ? code : "error");
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
    span.end(end);
  };
}
