import { generateMac, verifyMac } from "../../crypto/mac.js";
import type { CallContext, CoreDeps } from "../deps.js";
import type { KeyAction } from "../access/access.js";
import { keyFor } from "../access/authorized-key.js";
import { requireUsable } from "../keys/key-rules.js";
import type { KeyRecord } from "../../domain/types.js";
import { MAC_SPECS } from "../../domain/specs.js";
import { checkGrantTokens, checkLength } from "../validate.js";
import { versionMaterial } from "../keys/versions.js";

async function macKey(
  deps: CoreDeps,
  call: CallContext,
  action: KeyAction,
  keyRef: string,
  message: Uint8Array,
  grantTokens?: readonly string[],
) {
  checkGrantTokens(grantTokens ?? []);
  checkLength("message", message, 1, 4096);
  const key: KeyRecord = await keyFor(deps, call, keyRef, action, { grantTokens });
  requireUsable(key, "GENERATE_VERIFY_MAC", MAC_SPECS);
  return key;
}

/** HMAC-SHA-256 under a GENERATE_VERIFY_MAC key. */
export async function generateMacFor(
  deps: CoreDeps,
  call: CallContext,
  keyRef: string,
  message: Uint8Array,
  grantTokens?: readonly string[],
): Promise<{ keyId: string; versionId: string; mac: Buffer }> {
  const key = await macKey(deps, call, "GenerateMac", keyRef, message, grantTokens);
  const material = await versionMaterial(deps, key, key.primaryVersionId);
  return { keyId: key.id, versionId: key.primaryVersionId, mac: generateMac(material.secret, Buffer.from(message)) };
}

/** Checks a MAC in constant time. */
export async function verifyMacFor(
  deps: CoreDeps,
  call: CallContext,
  keyRef: string,
  message: Uint8Array,
  mac: Uint8Array,
  grantTokens?: readonly string[],
): Promise<{ keyId: string; valid: boolean }> {
  const key = await macKey(deps, call, "VerifyMac", keyRef, message, grantTokens);
  checkLength("mac", mac, 1, 64);
  const material = await versionMaterial(deps, key, key.primaryVersionId);
  return { keyId: key.id, valid: verifyMac(material.secret, Buffer.from(message), Buffer.from(mac)) };
}
