import type { TLSSocket } from "node:tls";
import { createContextKey } from "@connectrpc/connect";
import type { HttpRequest } from "./http.js";

/**
 * The common name of a client certificate that the TLS layer verified against `KMS_TLS_CLIENT_CA`,
 * or undefined. An unverified certificate never counts: the listener asks for certificates but
 * lets clients without one through (they may still use a bearer token), so `authorized` is checked
 * here on every request.
 */
export function verifiedClientName(req: HttpRequest): string | undefined {
  return verifiedSocketName(req.socket);
}

/** {@link verifiedClientName} of a connection: what an HTTP/2 stream served below the request layer reads. */
export function verifiedSocketName(raw: unknown): string | undefined {
  const socket = raw as TLSSocket | undefined;
  if (!socket || typeof socket.getPeerCertificate !== "function" || !socket.authorized) return undefined;
  const cn = socket.getPeerCertificate()?.subject?.CN;
  return typeof cn === "string" && cn.length > 0 ? cn : undefined;
}

/** The verified client-certificate name as a Connect context value. */
export const clientNameKey = createContextKey<string | undefined>(undefined);
