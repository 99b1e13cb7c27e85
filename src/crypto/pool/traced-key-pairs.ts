import { SpanStatusCode, type Tracer, trace } from "@opentelemetry/api";
import type { KeyPairGenerator } from "../key-pairs.js";

/**
 * The worker pool's generator with each on-demand generation in a span beneath the call that
 * waits for it, so a trace shows how long a pair call spent in a worker thread. Only the spec is
 * recorded, never the pair. Refills of the ready-pair pool run outside any call and make no span.
 */
export function tracedKeyPairs(inner: KeyPairGenerator, tracer: Tracer): KeyPairGenerator {
  return {
    async generate(spec, signal) {
      if (!trace.getActiveSpan()) return inner.generate(spec, signal);
      return tracer.startActiveSpan(
        "worker generateKeyPair",
        { attributes: { "kms.key_pair_spec": spec } },
        async (span) => {
          try {
            return await inner.generate(spec, signal);
          } catch (err) {
            span.setStatus({ code: SpanStatusCode.ERROR });
            span.setAttribute("error.type", err instanceof Error ? err.name : "error");
            throw err;
          } finally {
            span.end();
          }
        },
      );
    },
    close: () => inner.close(),
  };
}
