import type { Call } from "../../edge/pipeline.js";
import type { CoreDeps } from "../../core/deps.js";
import type { JsonObject, Members } from "../json.js";

/** What a running AWS operation may use: core's dependencies and the pipeline's call. */
export interface OperationContext {
  deps: CoreDeps;
  call: Call;
}

/**
 * One `TrentService.<Operation>`. It runs in two steps so that every request fails the way AWS
 * fails it: first it reads its members (a wrong JSON type is a `SerializationException`, a missing
 * or out-of-set value a `ValidationException`), then it calls exactly one core function and maps
 * the result to AWS's response members. No rule lives here — core decides, so the Connect API and
 * this one cannot drift.
 */
export type Operation = (members: Members) => (ctx: OperationContext) => Promise<JsonObject>;
