import { runBatch } from "../core/batch.js";
import { ERROR_WIRE, type KmsError } from "../domain/errors.js";
import { invalidField } from "../core/validate.js";
import type { Call } from "../edge/pipeline.js";

/** One item of any batch request: the caller's reference and the single RPC's request. */
interface BatchItem<Req> {
  reference: string;
  request?: Req | undefined;
}

/**
 * A batch item's error as the single RPC would have reported it: the same Connect code, the same
 * `ErrorInfo` reason and the same message, from the one table ({@link ERROR_WIRE}).
 */
export function toItemError(err: KmsError) {
  const wire = ERROR_WIRE[err.code];
  return { code: wire.connect, reason: wire.reason, message: err.message };
}

/**
 * Turns a single RPC's implementation into its batch form: every item runs through `single` with
 * its own call context (its own key resolution and authorization, see `core/batch.ts`), and
 * answers in order with its reference and either the single RPC's response or its error.
 */
export function batchOf<Req, Res>(single: (req: Req, call: Call) => Promise<Res>) {
  return async (req: { items: BatchItem<Req>[] }, call: Call) => {
    const outcomes = await runBatch(
      call,
      req.items,
      (item, itemCall) => {
        if (!item.request) throw invalidField("request", "be set");
        return single(item.request, itemCall);
      },
      (err) => call.log.error({ err }, "unexpected failure in a batch item"),
    );
    const results = outcomes.map((outcome, i) => ({
      reference: req.items[i]!.reference,
      outcome: outcome.ok
        ? { case: "response" as const, value: outcome.value }
        : { case: "error" as const, value: toItemError(outcome.error) },
    }));
    return { results };
  };
}
