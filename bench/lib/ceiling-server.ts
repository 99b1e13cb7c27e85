/**
 * The ceiling of the gRPC scenarios: a bare `@grpc/grpc-js` server answering
 * `kms.v1.DataKeyService/GenerateDataKey` with one fixed reply — no authentication, no store, no
 * crypto, no audit, no log line. It uses the same proto-loader definition as the bench's grpc-js
 * client, so a request is deserialized and a reply serialized as any grpc-js service would. Run as a
 * child process of the bench (`ceiling.ts`), so that its CPU is measured apart from the client's,
 * as the KMS server's is. Prints `{"msg":"ceiling listening","port":…}` once bound.
 */
import { randomBytes, randomUUID } from "node:crypto";
import * as grpc from "@grpc/grpc-js";
import { loaded } from "./clients.js";

/** About the sizes of a real AES_256 data key and its self-describing blob. */
const REPLY = {
  keyId: randomUUID(),
  keyVersionId: randomUUID(),
  plaintext: randomBytes(32),
  ciphertextBlob: randomBytes(150),
};

const server = new grpc.Server();
server.addService(loaded.kms.v1.DataKeyService.service, {
  GenerateDataKey: (_call: unknown, callback: grpc.sendUnaryData<typeof REPLY>) => callback(null, REPLY),
});
server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, port) => {
  if (err) throw err;
  console.log(JSON.stringify({ msg: "ceiling listening", port, pid: process.pid }));
});
process.on("SIGTERM", () => server.tryShutdown(() => process.exit(0)));
