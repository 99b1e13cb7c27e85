import type { CoreDeps } from "../deps.js";
import { checkRange } from "../validate.js";

/** GenerateRandom: 1..1024 bytes from the injected CSPRNG. */
export function generateRandom(deps: Pick<CoreDeps, "random">, numberOfBytes: number): Buffer {
  checkRange("numberOfBytes", numberOfBytes, 1, 1024);
  return deps.random(numberOfBytes);
}
