import { newRsaKeyPair, pkcs12, signCertificate } from "../../crypto/certificates.js";
import type { ClientKeyRecord } from "../../domain/security-records.js";
import { clientKeyId } from "./client-key-id.js";
import type { CoreDeps } from "../deps.js";
import { KmsError } from "../../domain/errors.js";
import { checkRange } from "../validate.js";

/** What `kms client-key create` hands its caller once; the service keeps none of the secrets. */
export interface IssuedClientKey {
  /** `KAAP.<uuid>`, as Alibaba Cloud names ClientKeys. */
  keyId: string;
  /** The PKCS#12 file (certificate, then the RSA_2048 private key), base64: the SDKs' `PrivateKeyData`. */
  privateKeyData: string;
  /** The PKCS#12 password the SDKs take beside the file. */
  password: string;
  notAfter: Date;
}

/**
 * Issues a ClientKey for a principal, for the Alibaba KMS-instance protocol: a fresh RSA_2048 key
 * pair, a self-signed certificate naming the ClientKey id, and a PKCS#12 file of both under a
 * random password. Only the certificate is stored; the private key and the password exist only
 * in what is returned. Requests signed with the key then act as the principal.
 */
export async function createClientKey(
  deps: Pick<CoreDeps, "store" | "clock" | "random" | "newId">,
  input: { principal: string; days: number },
): Promise<IssuedClientKey> {
  checkRange("days", input.days, 1, 3650);
  if (!(await deps.store.getPrincipal(input.principal))) {
    throw new KmsError("NotFound", `Principal '${input.principal}' does not exist.`);
  }
  const keyId = clientKeyId(deps.newId());
  const now = deps.clock();
  const notAfter = new Date(now.getTime() + input.days * 86_400_000);
  const { privateKey, publicKey } = newRsaKeyPair(2048);
  const certificate = signCertificate(
    {
      commonName: keyId,
      publicKey,
      notBefore: new Date(now.getTime() - 60_000),
      notAfter,
      serialHex: `01${deps.random(15).toString("hex")}`,
      usage: "clientAuth",
    },
    privateKey,
  );
  const password = deps.random(18).toString("base64url");
  const file = pkcs12(certificate, privateKey, password);
  const record: ClientKeyRecord = { keyId, principal: input.principal, certificate, notAfter, createdAt: now };
  await deps.store.transaction((tx) => tx.insertClientKey(record));
  return { keyId, privateKeyData: file.toString("base64"), password, notAfter };
}

/** Deletes a ClientKey; the next request signed with it is refused (every request reads the store). */
export async function deleteClientKey(deps: Pick<CoreDeps, "store">, keyId: string): Promise<void> {
  const deleted = await deps.store.transaction((tx) => tx.deleteClientKey(keyId));
  if (!deleted) throw new KmsError("NotFound", `ClientKey '${keyId}' does not exist.`);
}
