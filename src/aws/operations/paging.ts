import type { Page } from "../../domain/types.js";
import type { JsonObject, Members } from "../json.js";

/** AWS's `Limit`/`Marker` request members; core's opaque page tokens serve as markers as they are. */
export function pageRequest(m: Members): { limit: number | undefined; marker: string | undefined } {
  return { limit: m.integer("Limit"), marker: m.string("Marker") };
}

/** AWS's `Truncated`/`NextMarker` response members; `NextMarker` appears only when truncated. */
export function pageResponse(page: Pick<Page<unknown>, "nextToken">): JsonObject {
  return page.nextToken ? { Truncated: true, NextMarker: page.nextToken } : { Truncated: false };
}
