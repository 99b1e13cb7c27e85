import { keyFor } from "../access/authorized-key.js";
import type { CallContext, CoreDeps } from "../deps.js";
import type { KeyRecord } from "../../domain/types.js";

/**
 * The cryptographic operations AWS `GetKeyLastUsage` reports, and the methods of every surface
 * that perform each (`Service/Method`, as the audit trail names calls).
 */
const TRACKED: Readonly<Record<string, readonly string[]>> = {
  Encrypt: [
    "TrentService/Encrypt",
    "kms.v1.CryptoService/Encrypt",
    "kms.v1.CryptoService/AdvanceEncrypt",
    "dkms-gcs/Encrypt",
  ],
  Decrypt: [
    "TrentService/Decrypt",
    "kms.v1.CryptoService/Decrypt",
    "kms.v1.CryptoService/AdvanceDecrypt",
    "dkms-gcs/Decrypt",
  ],
  ReEncrypt: ["TrentService/ReEncrypt", "kms.v1.CryptoService/ReEncrypt"],
  GenerateDataKey: [
    "TrentService/GenerateDataKey",
    "kms.v1.DataKeyService/GenerateDataKey",
    "dkms-gcs/GenerateDataKey",
  ],
  GenerateDataKeyWithoutPlaintext: [
    "TrentService/GenerateDataKeyWithoutPlaintext",
    "kms.v1.DataKeyService/GenerateDataKeyWithoutPlaintext",
  ],
  GenerateDataKeyPair: [
    "TrentService/GenerateDataKeyPair",
    "kms.v1.DataKeyService/GenerateDataKeyPair",
    "kms.v1.DataKeyService/AdvanceGenerateDataKeyPair",
    "dkms-gcs/GenerateDataKeyPair",
    "dkms-gcs/AdvanceGenerateDataKeyPair",
  ],
  GenerateDataKeyPairWithoutPlaintext: [
    "TrentService/GenerateDataKeyPairWithoutPlaintext",
    "kms.v1.DataKeyService/GenerateDataKeyPairWithoutPlaintext",
    "kms.v1.DataKeyService/AdvanceGenerateDataKeyPairWithoutPlaintext",
    "dkms-gcs/GenerateDataKeyPairWithoutPlaintext",
    "dkms-gcs/AdvanceGenerateDataKeyPairWithoutPlaintext",
  ],
  Sign: ["TrentService/Sign", "kms.v1.CryptoService/Sign", "dkms-gcs/Sign"],
  Verify: ["TrentService/Verify", "kms.v1.CryptoService/Verify", "dkms-gcs/Verify"],
  GenerateMac: ["TrentService/GenerateMac", "kms.v1.CryptoService/GenerateMac"],
  VerifyMac: ["TrentService/VerifyMac", "kms.v1.CryptoService/VerifyMac"],
  DeriveSharedSecret: ["TrentService/DeriveSharedSecret", "kms.v1.CryptoService/DeriveSharedSecret"],
  Encapsulate: ["TrentService/Encapsulate", "kms.v1.CryptoService/Encapsulate"],
  Decapsulate: ["TrentService/Decapsulate", "kms.v1.CryptoService/Decapsulate"],
};

const BY_METHOD = new Map(Object.entries(TRACKED).flatMap(([op, methods]) => methods.map((m) => [m, op] as const)));

/** When and how a key was last used; `operation` and `at` are absent when it never was. */
export interface KeyLastUsage {
  key: KeyRecord;
  operation?: string;
  at?: Date;
  requestId?: string;
}

/**
 * AWS `GetKeyLastUsage`, answered from the audit trail (every authenticated call is recorded
 * there with its key and outcome): the latest successful cryptographic call on the key, on any
 * surface. Tracking starts when the key was created.
 */
export async function getKeyLastUsage(deps: CoreDeps, call: CallContext, keyRef: string): Promise<KeyLastUsage> {
  const key = await keyFor(deps, call, keyRef, "GetKeyLastUsage");
  const last = await deps.store.lastAuditOfKey(key.id, [...BY_METHOD.keys()]);
  if (!last) return { key };
  return { key, operation: BY_METHOD.get(last.operation)!, at: last.at, requestId: last.requestId };
}
