import { randomBytes, randomUUID } from "node:crypto";
import type { AliasRecord, KeyRecord, KeyVersionRecord } from "../../src/domain/types.js";

/** A fixed instant with a non-zero millisecond part, so truncation to seconds would show. */
export const T0 = new Date(Date.UTC(2024, 4, 17, 9, 30, 0, 123));

export function at(msAfterT0: number): Date {
  return new Date(T0.getTime() + msAfterT0);
}

/** An Enabled AES key with no dates set; override what a test is about. */
export function makeKey(overrides: Partial<KeyRecord> = {}): KeyRecord {
  const initial = randomUUID();
  return {
    id: randomUUID(),
    description: "test key",
    spec: "AES_256",
    usage: "ENCRYPT_DECRYPT",
    state: "Enabled",
    createdAt: T0,
    deletionAt: null,
    initialVersionId: initial,
    primaryVersionId: initial,
    rotationEnabled: false,
    rotationPeriodDays: null,
    nextRotationAt: null,
    tags: {},
    minDecryptionVersionId: null,
    expirationModel: null,
    materialExpiresAt: null,
    pendingVersionId: null,
    ...overrides,
  };
}

export function makeVersion(keyId: string, overrides: Partial<KeyVersionRecord> = {}): KeyVersionRecord {
  return {
    keyId,
    versionId: randomUUID(),
    createdAt: T0,
    wrappedMaterial: randomBytes(60),
    publicKey: null,
    rotationType: null,
    trimmedAt: null,
    materialDigest: null,
    expirationModel: null,
    validTo: null,
    materialDescription: null,
    ...overrides,
  };
}

export function makeAlias(name: string, keyId: string, overrides: Partial<AliasRecord> = {}): AliasRecord {
  return { name, keyId, createdAt: T0, updatedAt: T0, ...overrides };
}

/** Reads every page of a listing, checking that each page respects the limit. */
export async function collectPages<T>(
  limit: number,
  list: (token: string | null) => Promise<{ items: T[]; nextToken: string | null }>,
): Promise<T[][]> {
  const pages: T[][] = [];
  let token: string | null = null;
  do {
    const page: { items: T[]; nextToken: string | null } = await list(token);
    if (page.items.length > limit) throw new Error(`page of ${page.items.length} exceeds limit ${limit}`);
    pages.push(page.items);
    token = page.nextToken;
    if (pages.length > 100) throw new Error("paging does not terminate");
  } while (token !== null);
  return pages;
}

/** Captures what a promise rejects with, failing if it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error("expected a rejection");
}
