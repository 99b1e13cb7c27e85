import { describe, expect, it } from "vitest";
import { parseMetrics, quantile, rates, snapshot } from "../../../console/src/metrics.js";
import { validationHint } from "../../../console/src/validation-hints.js";

/**
 * The dashboard's reading of Prometheus text and the console's wording of validation errors,
 * without a browser: the values a wrong parser, rate or quantile would get wrong.
 */

const text = (ok: number, denied: number, fast: number, slow: number, pool?: number) => `
# HELP kms_requests_total Calls by service, method and result code.
# TYPE kms_requests_total counter
kms_requests_total{service="kms.v1.CryptoService",method="Encrypt",code="OK"} ${ok}
kms_requests_total{service="TrentService",method="Encrypt",code="OK"} 1
kms_requests_total{service="kms.v1.CryptoService",method="Encrypt",code="AccessDenied"} ${denied}
kms_requests_total{service="kms.v1.DataKeyService",method="GenerateDataKeyPair",code="Throttled"} 2
kms_request_duration_seconds_bucket{le="0.001",service="kms.v1.CryptoService",method="Encrypt"} 0
kms_request_duration_seconds_bucket{le="0.01",service="kms.v1.CryptoService",method="Encrypt"} ${fast}
kms_request_duration_seconds_bucket{le="0.1",service="kms.v1.CryptoService",method="Encrypt"} ${fast + slow}
kms_request_duration_seconds_bucket{le="+Inf",service="kms.v1.CryptoService",method="Encrypt"} ${fast + slow}
${pool === undefined ? "" : `kms_keypair_pool_ready{spec="EC_P256"} ${pool}`}
process_cpu_seconds_total 1.5
`;

describe("dashboard metrics", () => {
  it("parses labels with escapes and skips comments", () => {
    const samples = parseMetrics('a_total{x="q\\"uote",y="new\\nline"} 3\n# c\nb 4\n');
    expect(samples).toEqual([
      { name: "a_total", labels: { x: 'q"uote', y: "new\nline" }, value: 3 },
      { name: "b", labels: {}, value: 4 },
    ]);
  });

  it("sums calls by method across services, errors by code, and finds pool gauges only when present", () => {
    const s = snapshot(parseMetrics(text(10, 3, 5, 5)), 100);
    expect(s.total).toBe(16);
    expect(Object.fromEntries(s.byMethod)).toEqual({ Encrypt: 14, GenerateDataKeyPair: 2 });
    expect(Object.fromEntries(s.errorsByCode)).toEqual({ AccessDenied: 3, Throttled: 2 });
    expect(s.pool.size).toBe(0);
    expect(Object.fromEntries(snapshot(parseMetrics(text(10, 3, 5, 5, 7)), 100).pool)).toEqual({
      "ready spec=EC_P256": 7,
    });
  });

  it("turns two totals into per-second rates, never negative after a restart", () => {
    const a = snapshot(parseMetrics(text(10, 3, 5, 5)), 100);
    const b = snapshot(parseMetrics(text(30, 3, 5, 5)), 102);
    expect(Object.fromEntries(rates(a.byMethod, b.byMethod, 2))).toEqual({ Encrypt: 10, GenerateDataKeyPair: 0 });
    expect(Object.fromEntries(rates(b.byMethod, a.byMethod, 2))).toEqual({ Encrypt: 0, GenerateDataKeyPair: 0 });
  });

  it("interpolates p50 and p99 inside the bucket of the calls made between two polls", () => {
    const a = snapshot(parseMetrics(text(0, 0, 10, 0)), 0);
    const b = snapshot(parseMetrics(text(0, 0, 20, 90)), 2);
    // Between the polls: 10 calls ≤ 10 ms and 90 between 10 and 100 ms.
    expect(quantile(a, b, 0.5)).toBeCloseTo(0.01 + 0.09 * (40 / 90), 6);
    expect(quantile(a, b, 0.99)).toBeCloseTo(0.01 + 0.09 * (89 / 90), 6);
    expect(quantile(b, b, 0.5)).toBeUndefined();
  });
});

describe("validation hints", () => {
  it("says what to type instead of the regular expression the service names", () => {
    const aws =
      "1 validation error detected: Value 'alias/a b' at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^alias/[a-zA-Z0-9/_-]+$ (at most 256 characters)";
    expect(validationHint(aws)).toMatch(/^an alias name is alias\/ followed by letters, digits/);
    const unknown =
      "1 validation error detected: Value 'x' at 'somethingElse' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-z]+$";
    expect(validationHint(unknown)).not.toContain("^[a-z]+$");
  });
});
