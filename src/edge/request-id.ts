import { randomUUID } from "node:crypto";
import { createContextKey } from "@connectrpc/connect";
import type { HttpRequest } from "./http.js";

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const KEY = Symbol("kms.requestId");

/**
 * Fixes a request's id: the caller's `x-request-id` when it is well formed, else a new UUID.
 * The id is kept beside the request rather than written into its headers, so the headers stay
 * exactly as the client sent (and, on the AWS endpoint, signed) them.
 */
export function assignRequestId(req: HttpRequest): string {
  const id = requestIdFrom(req.headers["x-request-id"]);
  (req as unknown as Record<symbol, string>)[KEY] = id;
  return id;
}

/** A call's id from the `x-request-id` value it was sent with: that value when well formed, else a new UUID. */
export function requestIdFrom(given: unknown): string {
  return typeof given === "string" && REQUEST_ID.test(given) ? given : randomUUID();
}

/** The id {@link assignRequestId} gave this request. */
export function requestIdOf(req: HttpRequest): string {
  return (req as unknown as Record<symbol, string | undefined>)[KEY] ?? "";
}

/** The request id as a Connect context value, for the service wrapper. */
export const requestIdKey = createContextKey<string>("");
