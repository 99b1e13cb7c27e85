import { randomBytes } from "node:crypto";
import { pino } from "pino";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { Members } from "../../src/aws/json.js";
import { listKeyRotations } from "../../src/aws/operations/list-key-rotations.js";
import { createAlias } from "../../src/core/aliases/aliases.js";
import type { CoreDeps } from "../../src/core/deps.js";
import { scheduleKeyDeletion } from "../../src/core/keys/key-state.js";
import { createKey, describeKey } from "../../src/core/keys/keys.js";
import { listKeyVersions, rotateDueKeys, rotateKey, updateRotationPolicy } from "../../src/core/rotation/rotation.js";
import { sweepDeletedKeys } from "../../src/core/rotation/scheduler.js";
import { openStore } from "../../src/store/open-store.js";
import { type CoreFixture, adminCall, createCoreFixture } from "../helpers/core-fixture.js";
import { codeOf } from "../helpers/code-of.js";
import { dropSchemas } from "../helpers/pg-schema.js";

const DAY = 86_400_000;
const url = process.env.KMS_TEST_DATABASE_URL;
if (!url && process.env.CI) throw new Error("KMS_TEST_DATABASE_URL must be set in CI");

/** A clock the test moves by hand. */
function movableClock(deps: CoreDeps): (ms: number) => void {
  let now = Date.now();
  deps.clock = () => new Date(now);
  return (ms) => {
    now += ms;
  };
}

describe("deletion sweeper and automatic rotation (one instance)", () => {
  let fixture: CoreFixture;
  afterEach(async () => fixture.close());

  it("deletes a key with its versions and aliases only once its window has passed", async () => {
    fixture = await createCoreFixture();
    const { deps } = fixture;
    const advance = movableClock(deps);
    const key = await createKey(deps, adminCall(), {});
    const other = await createKey(deps, adminCall(), {});
    await createAlias(deps, adminCall(), "alias/doomed", key.id);
    const scheduled = await scheduleKeyDeletion(deps, adminCall(), key.id, 7);
    expect(scheduled.deletionAt!.getTime()).toBe(deps.clock().getTime() + 7 * DAY);

    advance(7 * DAY - 1000);
    expect(await sweepDeletedKeys(deps)).toEqual([]);
    expect((await describeKey(deps, adminCall(), key.id)).state).toBe("PendingDeletion");

    advance(2000);
    expect(await sweepDeletedKeys(deps)).toEqual([key.id]);
    expect(await codeOf(describeKey(deps, adminCall(), key.id))).toBe("NotFound");
    expect(await deps.store.getAlias("alias/doomed")).toBeNull();
    expect(await deps.store.getVersion(key.id, key.initialVersionId)).toBeNull();
    expect((await describeKey(deps, adminCall(), other.id)).state).toBe("Enabled");
    expect(await sweepDeletedKeys(deps)).toEqual([]);
  });

  it("rotates a key when its period has passed, once, and schedules the next rotation", async () => {
    fixture = await createCoreFixture();
    const { deps } = fixture;
    const advance = movableClock(deps);
    const key = await createKey(deps, adminCall(), {});
    const policy = await updateRotationPolicy(deps, adminCall(), key.id, true, 90);
    expect(policy.nextRotationAt!.getTime()).toBe(deps.clock().getTime() + 90 * DAY);

    advance(89 * DAY);
    expect(await rotateDueKeys(deps)).toBe(0);
    advance(DAY + 1);
    expect(await rotateDueKeys(deps)).toBe(1);
    expect(await rotateDueKeys(deps)).toBe(0);

    const after = await describeKey(deps, adminCall(), key.id);
    const versions = (await listKeyVersions(deps, adminCall(), key.id, 10, undefined)).items;
    expect(versions).toHaveLength(2);
    expect(after.primaryVersionId).toBe(versions[1]!.versionId);
    expect(after.initialVersionId).toBe(key.initialVersionId);
    expect(after.nextRotationAt!.getTime()).toBe(deps.clock().getTime() + 90 * DAY);
  });

  it("records AUTOMATIC for a scheduled rotation and ON_DEMAND for a caller's, as ListKeyRotations reports", async () => {
    fixture = await createCoreFixture();
    const { deps } = fixture;
    const advance = movableClock(deps);
    const key = await createKey(deps, adminCall(), {});
    await updateRotationPolicy(deps, adminCall(), key.id, true, 90);
    advance(91 * DAY);
    expect(await rotateDueKeys(deps)).toBe(1);
    advance(1000);
    await rotateKey(deps, adminCall(), key.id);

    const versions = (await listKeyVersions(deps, adminCall(), key.id, 10, undefined)).items;
    expect(versions.map((v) => v.rotationType)).toEqual([null, "AUTOMATIC", "ON_DEMAND"]);

    const call = { ...adminCall(), log: pino({ level: "silent" }) };
    const listed = await listKeyRotations(new Members({ KeyId: key.id }))({ deps, call });
    const rotations = listed.Rotations as { RotationType: string; RotationDate: number }[];
    expect(rotations.map((r) => r.RotationType)).toEqual(["AUTOMATIC", "ON_DEMAND"]);
    expect(rotations[0]!.RotationDate).toBeLessThan(rotations[1]!.RotationDate);
  });

  it("does not rotate disabled keys or keys whose policy was turned off", async () => {
    fixture = await createCoreFixture();
    const { deps } = fixture;
    const advance = movableClock(deps);
    const off = await createKey(deps, adminCall(), {});
    await updateRotationPolicy(deps, adminCall(), off.id, true, 90);
    await updateRotationPolicy(deps, adminCall(), off.id, false, undefined);
    advance(91 * DAY);
    expect(await rotateDueKeys(deps)).toBe(0);
  });
});

describe.skipIf(!url)("two instances on one PostgreSQL", () => {
  const schema = `kms_sched_${randomBytes(6).toString("hex")}`;
  const fixtures: CoreFixture[] = [];

  afterAll(async () => {
    for (const f of fixtures) await f.close();
    await dropSchemas(url!, [schema]);
  });

  /** Two CoreDeps sharing one root key and one PostgreSQL schema, like two processes. */
  async function twoInstances(): Promise<[CoreDeps, CoreDeps]> {
    const base = await createCoreFixture();
    fixtures.push(base);
    const [sa, sb] = await Promise.all([
      openStore({ databaseUrl: url!, dataDir: base.dataDir, schema }),
      openStore({ databaseUrl: url!, dataDir: base.dataDir, schema }),
    ]);
    fixtures.push({
      deps: base.deps,
      dataDir: base.dataDir,
      close: async () => {
        await sa.close();
        await sb.close();
      },
    });
    const now = Date.now();
    const a: CoreDeps = { ...base.deps, store: sa, clock: () => new Date(now) };
    const b: CoreDeps = { ...base.deps, store: sb, clock: () => new Date(now) };
    return [a, b];
  }

  it("rotates each due key exactly once when both instances run the pass at once", async () => {
    const [a, b] = await twoInstances();
    const keys = await Promise.all(Array.from({ length: 6 }, () => createKey(a, adminCall(), {})));
    for (const k of keys) await updateRotationPolicy(a, adminCall(), k.id, true, 90);
    const later = new Date(a.clock().getTime() + 91 * DAY);
    a.clock = () => later;
    b.clock = () => later;
    const [ra, rb] = await Promise.all([rotateDueKeys(a), rotateDueKeys(b)]);
    expect(ra + rb).toBe(6);
    for (const k of keys) {
      expect((await listKeyVersions(b, adminCall(), k.id, 10, undefined)).items).toHaveLength(2);
    }
    expect(await rotateDueKeys(a)).toBe(0);
  });

  it("deletes each due key exactly once when both instances sweep at once", async () => {
    const [a, b] = await twoInstances();
    const keys = await Promise.all(Array.from({ length: 6 }, () => createKey(a, adminCall(), {})));
    for (const k of keys) await scheduleKeyDeletion(b, adminCall(), k.id, 7);
    const later = new Date(a.clock().getTime() + 8 * DAY);
    a.clock = () => later;
    b.clock = () => later;
    const [da, db] = await Promise.all([sweepDeletedKeys(a), sweepDeletedKeys(b)]);
    expect([...da, ...db].sort()).toEqual(keys.map((k) => k.id).sort());
    expect(da.filter((id) => db.includes(id))).toEqual([]);
    for (const k of keys) expect(await codeOf(describeKey(a, adminCall(), k.id))).toBe("NotFound");
  });
});
