import { randomBytes, randomUUID } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { auditHash, chainAuditEntries, GENESIS_HASH, verifyAuditChain } from "../../src/security/audit-chain.js";
import { isUniqueViolation } from "../../src/store/db-errors.js";
import type {
  AuditEntry,
  AuditRecord,
  ClientKeyRecord,
  GrantRecord,
  PrincipalRecord,
} from "../../src/domain/security-records.js";
import type { KeyStore } from "../../src/store/key-store.js";
import { at, collectPages, makeKey, rejection } from "./fixtures.js";
import { codeOf } from "../helpers/code-of.js";

export type StoreFactory = () => Promise<KeyStore>;

const hex64 = () => randomBytes(32).toString("hex");

export function makePrincipal(name: string, overrides: Partial<PrincipalRecord> = {}): PrincipalRecord {
  return {
    name,
    isAdmin: false,
    tokenHash: hex64(),
    accessKeyId: `AKIA${randomBytes(8).toString("hex").toUpperCase()}`,
    wrappedSecret: randomBytes(68),
    createdAt: at(0),
    ...overrides,
  };
}

export function makeClientKey(principal: string, overrides: Partial<ClientKeyRecord> = {}): ClientKeyRecord {
  return {
    keyId: `KAAP.${randomUUID()}`,
    principal,
    certificate: `-----BEGIN CERTIFICATE-----\n${randomBytes(48).toString("base64")}\n-----END CERTIFICATE-----\n`,
    notAfter: at(1_000),
    createdAt: at(0),
    ...overrides,
  };
}

export function makeGrant(keyId: string, overrides: Partial<GrantRecord> = {}): GrantRecord {
  return {
    grantId: hex64(),
    keyId,
    grantee: "bob",
    operations: ["Encrypt", "Decrypt"],
    createdBy: "alice",
    createdAt: at(0),
    tokenHash: hex64(),
    ...overrides,
  };
}

export function makeAuditEntry(n: number, overrides: Partial<AuditEntry> = {}): AuditEntry {
  return {
    at: at(n),
    principal: `p${n % 3}`,
    operation: n % 2 ? "Encrypt" : "Decrypt",
    keyId: n % 4 === 0 ? null : randomUUID(),
    requestId: randomUUID(),
    outcome: n % 5 === 0 ? "error" : "ok",
    errorCode: n % 5 === 0 ? "AccessDenied" : null,
    ...overrides,
  };
}

/** The principal, key-policy, grant and audit half of the store, on each dialect. */
export function defineSecurityStoreContract(dialect: KeyStore["dialect"], open: StoreFactory): void {
  describe(`SecurityStore contract (${dialect})`, () => {
    let store: KeyStore;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
    });

    const newKey = async () => {
      const key = makeKey();
      await store.transaction((tx) => tx.insertKey(key));
      return key;
    };

    it("round-trips principals and finds them by name, token hash and access key id", async () => {
      const alice = makePrincipal("alice", { isAdmin: true, wrappedSecret: Buffer.from([0, 255, 0, 92, 39]) });
      const bob = makePrincipal("bob", { createdAt: at(5) });
      await store.transaction(async (tx) => {
        await tx.insertPrincipal(bob);
        await tx.insertPrincipal(alice);
      });
      expect(await store.getPrincipal("alice")).toEqual(alice);
      expect(await store.getPrincipalByTokenHash(bob.tokenHash)).toEqual(bob);
      expect(await store.getPrincipalByAccessKeyId(alice.accessKeyId)).toEqual(alice);
      expect(await store.getPrincipal("carol")).toBeNull();
      expect(await store.getPrincipalByTokenHash(hex64())).toBeNull();
      expect(await store.getPrincipalByAccessKeyId("AKIANOPE")).toBeNull();
      expect((await store.listPrincipals()).map((p) => p.name)).toEqual(["alice", "bob"]);
    });

    it("refuses a second principal with a taken name, token hash or access key id", async () => {
      const alice = makePrincipal("alice");
      await store.transaction((tx) => tx.insertPrincipal(alice));
      for (const clash of [
        makePrincipal("alice"),
        makePrincipal("other1", { tokenHash: alice.tokenHash }),
        makePrincipal("other2", { accessKeyId: alice.accessKeyId }),
      ]) {
        expect(codeOf(await rejection(store.transaction((tx) => tx.insertPrincipal(clash))))).toBe("AlreadyExists");
      }
      expect(await store.listPrincipals()).toEqual([alice]);
    });

    it("deletes a principal once", async () => {
      const alice = makePrincipal("alice");
      await store.transaction((tx) => tx.insertPrincipal(alice));
      expect(await store.transaction((tx) => tx.deletePrincipal("alice"))).toBe(true);
      expect(await store.transaction((tx) => tx.deletePrincipal("alice"))).toBe(false);
      expect(await store.getPrincipalByTokenHash(alice.tokenHash)).toBeNull();
    });

    it("round-trips ClientKeys, lists them by principal then id, and deletes one once", async () => {
      await store.transaction(async (tx) => {
        await tx.insertPrincipal(makePrincipal("bob"));
        await tx.insertPrincipal(makePrincipal("alice"));
      });
      const bobs = makeClientKey("bob", { keyId: "KAAP.0-first", notAfter: at(77), createdAt: at(3) });
      const alices = makeClientKey("alice", { keyId: "KAAP.z-last" });
      await store.transaction(async (tx) => {
        await tx.insertClientKey(bobs);
        await tx.insertClientKey(alices);
      });
      expect(await store.getClientKey(bobs.keyId)).toEqual(bobs);
      expect(await store.getClientKey("KAAP.missing")).toBeNull();
      expect(await store.listClientKeys()).toEqual([alices, bobs]);

      expect(await store.transaction((tx) => tx.deleteClientKey(bobs.keyId))).toBe(true);
      expect(await store.transaction((tx) => tx.deleteClientKey(bobs.keyId))).toBe(false);
      expect(await store.getClientKey(bobs.keyId)).toBeNull();
      expect(await store.listClientKeys()).toEqual([alices]);
    });

    it("refuses a taken ClientKey id (AlreadyExists) and an unknown principal (NotFound)", async () => {
      await store.transaction((tx) => tx.insertPrincipal(makePrincipal("alice")));
      const first = makeClientKey("alice");
      await store.transaction((tx) => tx.insertClientKey(first));
      const taken = makeClientKey("alice", { keyId: first.keyId });
      expect(codeOf(await rejection(store.transaction((tx) => tx.insertClientKey(taken))))).toBe("AlreadyExists");
      const orphan = makeClientKey("nobody");
      expect(codeOf(await rejection(store.transaction((tx) => tx.insertClientKey(orphan))))).toBe("NotFound");
      expect(await store.listClientKeys()).toEqual([first]);
    });

    it("deletes a principal's ClientKeys with the principal", async () => {
      await store.transaction(async (tx) => {
        await tx.insertPrincipal(makePrincipal("alice"));
        await tx.insertPrincipal(makePrincipal("bob"));
      });
      const alices = makeClientKey("alice");
      const bobs = makeClientKey("bob");
      await store.transaction(async (tx) => {
        await tx.insertClientKey(alices);
        await tx.insertClientKey(bobs);
      });
      await store.transaction((tx) => tx.deletePrincipal("alice"));
      expect(await store.getClientKey(alices.keyId)).toBeNull();
      expect(await store.listClientKeys()).toEqual([bobs]);
    });

    it("stores, replaces and reads a key policy; a missing key is NotFound", async () => {
      const key = await newKey();
      expect(await store.getKeyPolicy(key.id)).toBeNull();
      const first = { keyId: key.id, policy: '{"Statement":[]}', updatedAt: at(1) };
      await store.transaction((tx) => tx.putKeyPolicy(first));
      expect(await store.getKeyPolicy(key.id)).toEqual(first);
      const second = { keyId: key.id, policy: '{"Version":"2012-10-17","Statement":["ключ"]}', updatedAt: at(2) };
      await store.transaction((tx) => tx.putKeyPolicy(second));
      expect(await store.getKeyPolicy(key.id)).toEqual(second);
      const err = await rejection(store.transaction((tx) => tx.putKeyPolicy({ ...first, keyId: randomUUID() })));
      expect(codeOf(err)).toBe("NotFound");
    });

    it("round-trips grants with and without optional fields", async () => {
      const key = await newKey();
      const bare = makeGrant(key.id);
      const full = makeGrant(key.id, {
        grantee: "carol",
        retiringPrincipal: "dave",
        operations: ["GenerateDataKey", "RetireGrant"],
        constraints: { encryptionContextSubset: { tenant: "t-1", 'quote"': "ü" } },
        name: "batch:job/1",
        createdAt: at(9),
      });
      await store.transaction(async (tx) => {
        await tx.insertGrant(bare);
        await tx.insertGrant(full);
      });
      expect(await store.getGrant(bare.grantId)).toEqual(bare);
      expect(await store.getGrant(full.grantId)).toEqual(full);
      expect(await store.getGrantByTokenHash(full.tokenHash)).toEqual(full);
      expect(await store.getGrant(hex64())).toBeNull();
      expect(await store.getGrantByTokenHash(hex64())).toBeNull();
    });

    it("refuses a taken grant id or token hash (AlreadyExists) and a missing key (NotFound)", async () => {
      const key = await newKey();
      const grant = makeGrant(key.id);
      await store.transaction((tx) => tx.insertGrant(grant));
      const sameId = makeGrant(key.id, { grantId: grant.grantId });
      const sameToken = makeGrant(key.id, { tokenHash: grant.tokenHash });
      for (const clash of [sameId, sameToken]) {
        expect(codeOf(await rejection(store.transaction((tx) => tx.insertGrant(clash))))).toBe("AlreadyExists");
      }
      const orphan = makeGrant(randomUUID());
      expect(codeOf(await rejection(store.transaction((tx) => tx.insertGrant(orphan))))).toBe("NotFound");
      expect((await store.listGrantsByKey(key.id, 10, null)).items).toEqual([grant]);
    });

    it("lists a key's grants and a grantee's grants in creation order, page by page", async () => {
      const [k1, k2] = [await newKey(), await newKey()];
      // Equal timestamps tie-break on grant id; later timestamps sort after whatever their id.
      const grants = [
        makeGrant(k1.id, { grantId: "b", createdAt: at(1) }),
        makeGrant(k1.id, { grantId: "a", createdAt: at(2) }),
        makeGrant(k1.id, { grantId: "c", createdAt: at(2) }),
        makeGrant(k1.id, { grantId: "d", createdAt: at(3), grantee: "carol" }),
        makeGrant(k2.id, { grantId: "e", createdAt: at(0) }),
      ];
      await store.transaction(async (tx) => {
        for (const g of [...grants].reverse()) await tx.insertGrant(g);
      });
      const byKey = await collectPages(2, (t) => store.listGrantsByKey(k1.id, 2, t));
      expect(byKey.map((page) => page.map((g) => g.grantId))).toEqual([
        ["b", "a"],
        ["c", "d"],
      ]);
      const byGrantee = await collectPages(3, (t) => store.listGrantsByGrantee("bob", 3, t));
      expect(byGrantee.flat().map((g) => g.grantId)).toEqual(["e", "b", "a", "c"]);
      expect(byGrantee.map((p) => p.length)).toEqual([3, 1]);
      expect((await store.listGrantsByKey(randomUUID(), 5, null)).items).toEqual([]);
      const badToken = await rejection(store.listGrantsByKey(k1.id, 2, "bm90LWEtY3Vyc29y"));
      expect(codeOf(badToken)).toBe("InvalidArgument");
    });

    it("lists the grants a principal may retire, on every key, in creation order, page by page", async () => {
      const [k1, k2] = [await newKey(), await newKey()];
      const grants = [
        makeGrant(k1.id, { grantId: "b", createdAt: at(1), retiringPrincipal: "carol" }),
        makeGrant(k2.id, { grantId: "a", createdAt: at(1), retiringPrincipal: "carol", grantee: "dave" }),
        makeGrant(k1.id, { grantId: "c", createdAt: at(2), retiringPrincipal: "dave" }),
        makeGrant(k1.id, { grantId: "d", createdAt: at(3), grantee: "carol" }),
        makeGrant(k2.id, { grantId: "e", createdAt: at(0), retiringPrincipal: "carol" }),
      ];
      await store.transaction(async (tx) => {
        for (const g of [...grants].reverse()) await tx.insertGrant(g);
      });
      const carol = await collectPages(2, (t) => store.listGrantsByRetiringPrincipal("carol", 2, t));
      expect(carol.map((page) => page.map((g) => g.grantId))).toEqual([["e", "a"], ["b"]]);
      expect(carol.flat()[1]).toEqual(grants[1]);
      expect((await store.listGrantsByRetiringPrincipal("dave", 10, null)).items.map((g) => g.grantId)).toEqual(["c"]);
      expect((await store.listGrantsByRetiringPrincipal("bob", 10, null)).items).toEqual([]);
      const badToken = await rejection(store.listGrantsByRetiringPrincipal("carol", 2, "bm90LWEtY3Vyc29y"));
      expect(codeOf(badToken)).toBe("InvalidArgument");
    });

    it("deletes a grant once", async () => {
      const key = await newKey();
      const grant = makeGrant(key.id);
      await store.transaction((tx) => tx.insertGrant(grant));
      expect(await store.transaction((tx) => tx.deleteGrant(grant.grantId))).toBe(true);
      expect(await store.transaction((tx) => tx.deleteGrant(grant.grantId))).toBe(false);
      expect(await store.getGrantByTokenHash(grant.tokenHash)).toBeNull();
    });

    it("deletes a key's policy and grants with the key, and keeps its audit records", async () => {
      const [doomed, kept] = [await newKey(), await newKey()];
      const keptGrant = makeGrant(kept.id);
      await store.transaction(async (tx) => {
        await tx.putKeyPolicy({ keyId: doomed.id, policy: "{}", updatedAt: at(1) });
        await tx.putKeyPolicy({ keyId: kept.id, policy: "{}", updatedAt: at(1) });
        await tx.insertGrant(makeGrant(doomed.id));
        await tx.insertGrant(makeGrant(doomed.id, { grantee: "carol" }));
        await tx.insertGrant(keptGrant);
      });
      await store.appendAudit(makeAuditEntry(1, { keyId: doomed.id }), auditHash);
      await store.transaction((tx) => tx.deleteKey(doomed.id));
      expect(await store.getKeyPolicy(doomed.id)).toBeNull();
      expect((await store.listGrantsByKey(doomed.id, 10, null)).items).toEqual([]);
      expect((await store.listGrantsByGrantee("carol", 10, null)).items).toEqual([]);
      expect(await store.getKeyPolicy(kept.id)).not.toBeNull();
      expect((await store.listGrantsByKey(kept.id, 10, null)).items).toEqual([keptGrant]);
      expect((await store.listAudit(0, 10)).map((r) => r.keyId)).toEqual([doomed.id]);
    });

    it("appends a hash chain numbered from 1 and lists it after a seq", async () => {
      const seen: [string, number][] = [];
      const hasher = (prev: string, entry: Parameters<typeof auditHash>[1]) => {
        seen.push([prev, entry.seq]);
        return auditHash(prev, entry);
      };
      const entries = Array.from({ length: 7 }, (_, n) => makeAuditEntry(n));
      const appended = [];
      for (const entry of entries) appended.push(await store.appendAudit(entry, hasher));

      expect(appended.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
      expect(appended[0]!.prevHash).toBe(GENESIS_HASH);
      expect(seen.map(([, seq]) => seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
      expect(seen.slice(1).map(([prev]) => prev)).toEqual(appended.slice(0, 6).map((r) => r.hash));
      appended.forEach((r, i) => expect(r).toMatchObject({ ...entries[i], seq: i + 1 }));

      const all = await store.listAudit(0, 100);
      expect(all).toEqual(appended);
      expect(await store.listAudit(3, 2)).toEqual(appended.slice(3, 5));
      expect(await store.listAudit(7, 10)).toEqual([]);
      expect(await verifyAuditChain(all)).toEqual({ ok: true, count: 7, head: { seq: 7, hash: appended[6]!.hash } });
    });

    it("searches the audit trail newest first by principal, key, operation, method, outcome and time", async () => {
      const key = randomUUID();
      const ops = ["kms.v1.CryptoService/Encrypt", "TrentService/Encrypt", "kms.v1.KeyService/CreateKey"];
      const appended: AuditRecord[] = [];
      for (let n = 0; n < 12; n++) {
        const entry = makeAuditEntry(n, { operation: ops[n % 3]!, keyId: n % 2 ? key : null });
        appended.push(await store.appendAudit(entry, auditHash));
      }
      const seqs = (records: { seq: number }[]) => records.map((r) => r.seq);
      const newestFirst = (pick: (r: AuditRecord) => boolean) => seqs(appended.filter(pick).reverse());

      expect(seqs(await store.searchAudit({}, null, 100))).toEqual(newestFirst(() => true));
      expect(seqs(await store.searchAudit({}, 10, 3))).toEqual([9, 8, 7]);
      expect(seqs(await store.searchAudit({ keyId: key }, null, 100))).toEqual(newestFirst((r) => r.keyId === key));
      expect(seqs(await store.searchAudit({ principal: "p1" }, null, 100))).toEqual(
        newestFirst((r) => r.principal === "p1"),
      );
      expect(seqs(await store.searchAudit({ operation: ops[1] }, null, 100))).toEqual(
        newestFirst((r) => r.operation === ops[1]),
      );
      expect(seqs(await store.searchAudit({ method: "Encrypt" }, null, 100))).toEqual(
        newestFirst((r) => r.operation.endsWith("/Encrypt")),
      );
      expect(seqs(await store.searchAudit({ outcome: "error" }, null, 100))).toEqual(
        newestFirst((r) => r.outcome === "error"),
      );
      const from = appended[3]!.at;
      const to = appended[8]!.at;
      expect(seqs(await store.searchAudit({ from, to }, null, 100))).toEqual([8, 7, 6, 5, 4]);
      expect(seqs(await store.searchAudit({ keyId: key, method: "Encrypt", outcome: "ok", from }, null, 100))).toEqual(
        newestFirst((r) => r.keyId === key && r.operation.endsWith("/Encrypt") && r.outcome === "ok" && r.at >= from),
      );
    });

    it("appends a batch as one run of the chain, after single appends, in the entries' order", async () => {
      const single = [await store.appendAudit(makeAuditEntry(0), auditHash)];
      const entries = Array.from({ length: 5 }, (_, n) => makeAuditEntry(n + 1));
      const batch = await store.transaction((tx) => tx.appendAuditBatch(entries, auditHash));
      expect(await store.transaction((tx) => tx.appendAuditBatch([], auditHash))).toEqual([]);
      single.push(await store.appendAudit(makeAuditEntry(6), auditHash));

      expect(batch.map((r) => r.seq)).toEqual([2, 3, 4, 5, 6]);
      expect(batch[0]!.prevHash).toBe(single[0]!.hash);
      expect(single[1]!.prevHash).toBe(batch[4]!.hash);
      batch.forEach((r, i) => expect(r).toMatchObject(entries[i]!));
      const all = await store.listAudit(0, 100);
      expect(all).toEqual([single[0], ...batch, single[1]]);
      expect(await verifyAuditChain(all)).toMatchObject({ ok: true, count: 7 });
    });

    it("keeps no audit record of a transaction that rolled back (an append is part of its transaction)", async () => {
      await store.appendAudit(makeAuditEntry(1), auditHash);
      const err = await rejection(
        store.transaction(async (tx) => {
          await tx.appendAudit(makeAuditEntry(2), auditHash);
          throw new Error("operation failed after auditing");
        }),
      );
      expect((err as Error).message).toBe("operation failed after auditing");
      const next = await store.appendAudit(makeAuditEntry(3), auditHash);
      expect(next.writerSeq).toBe(2);
      expect(await verifyAuditChain(await store.listAudit(0, 10))).toMatchObject({ ok: true, count: 2 });
    });

    it("stores writers' chains side by side, numbers the trail itself and keeps each writer's head", async () => {
      expect(await store.auditChainHead("writer-a")).toBeNull();
      const shared = await store.appendAudit(makeAuditEntry(0), auditHash);
      const a1 = chainAuditEntries("writer-a", null, [makeAuditEntry(1), makeAuditEntry(2)]);
      const b1 = chainAuditEntries("writer-b", null, [makeAuditEntry(3)]);
      await store.appendAuditRecords(a1);
      await store.appendAuditRecords(b1);
      const a2 = chainAuditEntries("writer-a", await store.auditChainHead("writer-a"), [makeAuditEntry(4)]);
      await store.appendAuditRecords(a2);

      expect(await store.auditChainHead("writer-a")).toEqual({ writerSeq: 3, hash: a2[0]!.hash });
      expect(await store.auditChainHead("writer-b")).toEqual({ writerSeq: 1, hash: b1[0]!.hash });
      expect(await store.auditChainHead("")).toEqual({ writerSeq: 1, hash: shared.hash });
      const all = await store.listAudit(0, 100);
      expect(all.map((r) => [r.writer, r.writerSeq])).toEqual([
        ["", 1],
        ["writer-a", 1],
        ["writer-a", 2],
        ["writer-b", 1],
        ["writer-a", 3],
      ]);
      expect(all.slice(1)).toMatchObject([...a1, ...b1, ...a2]);
      const seqs = all.map((r) => r.seq);
      expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
      expect(new Set(seqs).size).toBe(5);
      expect(await verifyAuditChain(all)).toEqual({ ok: true, count: 5, head: { seq: seqs[4], hash: a2[0]!.hash } });
    });

    it("refuses a group whose place in its chain is taken, and stores none of it", async () => {
      const first = chainAuditEntries("writer-c", null, [makeAuditEntry(1)]);
      await store.appendAuditRecords(first);
      // A stale head (null) places the group at 1 and 2 again: the second is free, the first is not.
      const stale = chainAuditEntries("writer-c", null, [makeAuditEntry(2), makeAuditEntry(3)]);
      const err = await rejection(store.appendAuditRecords(stale));
      expect(isUniqueViolation(err)).toBe(true);
      expect((await store.listAudit(0, 100)).map((r) => r.requestId)).toEqual([first[0]!.requestId]);
    });

    it("serialises concurrent appends on one store into one chain", async () => {
      await Promise.all(Array.from({ length: 20 }, (_, n) => store.appendAudit(makeAuditEntry(n), auditHash)));
      const all = await store.listAudit(0, 100);
      expect(all.map((r) => r.seq)).toEqual(Array.from({ length: 20 }, (_, n) => n + 1));
      expect(await verifyAuditChain(all)).toMatchObject({ ok: true, count: 20 });
    });
  });
}
