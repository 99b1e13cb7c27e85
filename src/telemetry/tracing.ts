import type { Tracer } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { detectResources, envDetector, resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { ATTR_SERVICE_NAME } from "@opentelemetry/semantic-conventions";

/** Where the service's traces go (`OTEL_TRACES_EXPORTER`); undefined is off, the default. */
export type TracesExporter = "otlp" | undefined;

/** Tracing as the rest of the service sees it: the tracer to start spans with, and a flush on shutdown. */
export interface Tracing {
  tracer: Tracer;
  shutdown(): Promise<void>;
}

/**
 * Starts OpenTelemetry tracing when `OTEL_TRACES_EXPORTER=otlp`, configured by the standard
 * variables the SDK reads itself: `OTEL_EXPORTER_OTLP_ENDPOINT` / `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`,
 * `OTEL_EXPORTER_OTLP_HEADERS`, `OTEL_BSP_*`, `OTEL_TRACES_SAMPLER`, `OTEL_SERVICE_NAME` and
 * `OTEL_RESOURCE_ATTRIBUTES` (the service name defaults to `kms`). Spans go out as OTLP/HTTP
 * JSON, which every OTLP/HTTP receiver accepts at `/v1/traces`.
 *
 * Registering the provider also installs the AsyncLocalStorage context manager, so the store's
 * and the worker pool's spans find the call's span as their parent without being handed it, and
 * the W3C `traceparent` propagator, so a caller's trace continues here.
 */
export function startTracing(exporter: TracesExporter): Tracing | undefined {
  if (exporter !== "otlp") return undefined;
  const resource = resourceFromAttributes({ [ATTR_SERVICE_NAME]: "kms" }).merge(
    detectResources({ detectors: [envDetector] }),
  );
  const provider = new NodeTracerProvider({
    resource,
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
  });
  provider.register();
  return { tracer: provider.getTracer("kms"), shutdown: () => provider.shutdown() };
}
