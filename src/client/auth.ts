import type { Interceptor } from "@connectrpc/connect";

/** Sends `authorization: Bearer <token>` with every call. */
export function bearerInterceptor(token: string): Interceptor {
  return (next) => (req) => {
    req.header.set("authorization", `Bearer ${token}`);
    return next(req);
  };
}
