import {
  CreateGrantCommand,
  CreateKeyCommand,
  type KMSClient,
  ListRetirableGrantsCommand,
  RetireGrantCommand,
} from "@aws-sdk/client-kms";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  awsClient,
  awsErrorName,
  createPrincipal,
  type PrincipalCredentials,
  sqliteArgs,
} from "../helpers/security.js";
import { type ServerProcess, startServer, TEST_ADMIN } from "../helpers/server-process.js";

/**
 * `ListRetirableGrants` through the real AWS SDK against the real server: the grants naming a
 * retiring principal, on every key, paged with `Limit`/`Marker`. Admins may ask about anyone; a
 * principal only about itself (AWS decides that in IAM, which this service does not have).
 */

let server: ServerProcess;
let admin: KMSClient;
let carol: KMSClient;
let carolCredentials: PrincipalCredentials;

beforeAll(async () => {
  server = await startServer();
  carolCredentials = await createPrincipal(sqliteArgs(server.dataDir), "carol");
  admin = awsClient(server.url, TEST_ADMIN);
  carol = awsClient(server.url, carolCredentials);
});

afterAll(async () => {
  admin?.destroy();
  carol?.destroy();
  await server?.stop();
});

async function newKeyArn(): Promise<string> {
  return (await admin.send(new CreateKeyCommand({ Description: "retirable grants" }))).KeyMetadata!.Arn!;
}

describe("ListRetirableGrants", () => {
  it("lists the grants carol may retire, on every key, page by page, and not the others", async () => {
    const [k1, k2] = [await newKeyArn(), await newKeyArn()];
    const first = await admin.send(
      new CreateGrantCommand({
        KeyId: k1,
        GranteePrincipal: "dave",
        RetiringPrincipal: "carol",
        Operations: ["Encrypt", "Decrypt"],
        Name: "for-dave",
      }),
    );
    const second = await admin.send(
      new CreateGrantCommand({
        KeyId: k2,
        GranteePrincipal: "erin",
        RetiringPrincipal: "carol",
        Operations: ["Encrypt"],
      }),
    );
    await admin.send(
      new CreateGrantCommand({
        KeyId: k1,
        GranteePrincipal: "carol",
        RetiringPrincipal: "dave",
        Operations: ["Decrypt"],
      }),
    );

    const all = await admin.send(new ListRetirableGrantsCommand({ RetiringPrincipal: "carol" }));
    expect(all.Truncated).toBe(false);
    expect(all.Grants?.map((g) => g.GrantId)).toEqual([first.GrantId, second.GrantId]);
    expect(all.Grants![0]).toMatchObject({
      KeyId: k1,
      GrantId: first.GrantId,
      Name: "for-dave",
      GranteePrincipal: "dave",
      RetiringPrincipal: "carol",
      IssuingAccount: "admin",
      Operations: ["Encrypt", "Decrypt"],
    });

    const page1 = await admin.send(new ListRetirableGrantsCommand({ RetiringPrincipal: "carol", Limit: 1 }));
    expect(page1.Truncated).toBe(true);
    expect(page1.Grants?.map((g) => g.GrantId)).toEqual([first.GrantId]);
    const page2 = await admin.send(
      new ListRetirableGrantsCommand({ RetiringPrincipal: "carol", Limit: 1, Marker: page1.NextMarker! }),
    );
    expect(page2.Grants?.map((g) => g.GrantId)).toEqual([second.GrantId]);
    expect(page2.Truncated).toBe(false);
    expect(page2.NextMarker).toBeUndefined();

    const own = await carol.send(new ListRetirableGrantsCommand({ RetiringPrincipal: "carol" }));
    expect(own.Grants?.map((g) => g.GrantId)).toEqual([first.GrantId, second.GrantId]);

    await carol.send(new RetireGrantCommand({ KeyId: k2, GrantId: second.GrantId! }));
    const after = await admin.send(new ListRetirableGrantsCommand({ RetiringPrincipal: "carol" }));
    expect(after.Grants?.map((g) => g.GrantId)).toEqual([first.GrantId]);
  });

  it("refuses a non-admin principal asking about another principal with AccessDeniedException", async () => {
    expect(await awsErrorName(carol.send(new ListRetirableGrantsCommand({ RetiringPrincipal: "dave" })))).toBe(
      "AccessDeniedException",
    );
    const dave = await admin.send(new ListRetirableGrantsCommand({ RetiringPrincipal: "dave" }));
    expect(dave.Grants).toHaveLength(1);
  });

  it("refuses an empty RetiringPrincipal with ValidationException", async () => {
    expect(await awsErrorName(admin.send(new ListRetirableGrantsCommand({ RetiringPrincipal: "" })))).toBe(
      "ValidationException",
    );
  });
});
