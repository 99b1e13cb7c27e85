import { Counter, collectDefaultMetrics, Histogram, Registry } from "prom-client";

/**
 * Prometheus metrics for `GET /metrics`. Labels are the operation and the error code only —
 * never key ids, contexts or anything from a request body.
 */
export interface Metrics {
  observe(service: string, method: string, code: string, seconds: number): void;
  readonly registry: Registry;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: "kms_requests_total",
    help: "Calls by service, method and result code.",
    labelNames: ["service", "method", "code"] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: "kms_request_duration_seconds",
    help: "Call duration by service and method.",
    labelNames: ["service", "method"] as const,
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
    registers: [registry],
  });
  return {
    registry,
    observe(service, method, code, seconds) {
      requests.inc({ service, method, code });
      duration.observe({ service, method }, seconds);
    },
  };
}
