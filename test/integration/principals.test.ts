import { afterEach, describe, expect, it } from "vitest";
import { createPrincipal, deletePrincipal } from "../../src/core/access/principals.js";
import { hashToken } from "../../src/security/credentials.js";
import { type CoreFixture, createCoreFixture } from "../helpers/core-fixture.js";
import { codeOf } from "../helpers/code-of.js";

describe("principals", () => {
  let fx: CoreFixture;
  afterEach(async () => fx.close());

  it("stores only the token's hash and a wrapped secret, and refuses a taken name", async () => {
    fx = await createCoreFixture();
    const alice = await createPrincipal(fx.deps, { name: "alice", admin: false });
    const stored = await fx.deps.store.getPrincipal("alice");
    expect(stored?.tokenHash).toBe(hashToken(alice.token));
    expect(stored?.wrappedSecret.includes(Buffer.from(alice.secretAccessKey))).toBe(false);
    expect(await codeOf(createPrincipal(fx.deps, { name: "alice", admin: true }))).toBe("AlreadyExists");
  });

  it("retires a deleted principal's name, so no new principal inherits its grants and policy statements", async () => {
    fx = await createCoreFixture();
    await createPrincipal(fx.deps, { name: "bob", admin: false });
    await deletePrincipal(fx.deps, "bob");
    expect(await fx.deps.store.getPrincipal("bob")).toBeNull();
    expect(await codeOf(createPrincipal(fx.deps, { name: "bob", admin: false }))).toBe("AlreadyExists");
    expect(await codeOf(deletePrincipal(fx.deps, "bob"))).toBe("NotFound");
    expect((await createPrincipal(fx.deps, { name: "bob2", admin: false })).name).toBe("bob2");
  });
});
