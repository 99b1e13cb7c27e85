import type { DescMessage, MessageInitShape, MessageShape } from "@bufbuild/protobuf";
import type { Logger } from "pino";
import type { Principal } from "../../edge/pipeline.js";
import type { CallContext, CoreDeps } from "../../core/deps.js";

/** What a running operation may use: core's dependencies and the pipeline's call. */
export interface OperationContext {
  deps: CoreDeps;
  call: CallContext & { log: Logger; principal: Principal };
}

/**
 * One `x-kms-apiname`: the request and response messages of `third_party/proto/dkms_gcs/api.proto`
 * and a thin mapping onto exactly one core function. No rule lives here — core decides, so this
 * wire, the Connect API and the AWS endpoint cannot drift. `run` is a method (not a function
 * property) so that operations over different messages share the table's one type.
 */
export interface DkmsOperation<I extends DescMessage = DescMessage, O extends DescMessage = DescMessage> {
  request: I;
  response: O;
  run(req: MessageShape<I>, ctx: OperationContext): Promise<MessageInitShape<O>>;
}

/** Builds a {@link DkmsOperation}, inferring its message types from the two schemas. */
export function operation<I extends DescMessage, O extends DescMessage>(
  request: I,
  response: O,
  run: (req: MessageShape<I>, ctx: OperationContext) => Promise<MessageInitShape<O>>,
): DkmsOperation<I, O> {
  return { request, response, run };
}
