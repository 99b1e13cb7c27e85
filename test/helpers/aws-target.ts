import { CreateKeyCommand, type KeyMetadata, KMSClient, ScheduleKeyDeletionCommand } from "@aws-sdk/client-kms";
import { afterAll, beforeAll } from "vitest";
import { type ServerProcess, startServer, TEST_ADMIN } from "./server-process.js";

/**
 * The AWS KMS endpoint the AWS compatibility tests talk to: this service started as a process, or
 * real AWS KMS when `KMS_AWS_TEST_ENDPOINT` is set (credentials then come from the environment).
 * The same test files run against both; `ours` marks the few tests that only hold for this service.
 */
export const external = process.env.KMS_AWS_TEST_ENDPOINT;
export const region = process.env.AWS_REGION ?? "us-east-1";

export interface AwsTarget {
  /** The endpoint URL (our server's, or AWS's). */
  readonly endpoint: string;
  readonly kms: KMSClient;
  /** Client configuration for other AWS clients (e.g. the Encryption SDK's `KMS`). */
  config(): { endpoint: string; region: string; credentials?: { accessKeyId: string; secretAccessKey: string } };
  /** Creates a key that is scheduled for deletion afterwards when the target is real AWS. */
  newKey(input?: ConstructorParameters<typeof CreateKeyCommand>[0]): Promise<KeyMetadata>;
}

/** Registers beforeAll/afterAll that start (and stop) the target and its client for one test file. */
export function useAwsTarget(): AwsTarget {
  let server: ServerProcess | undefined;
  let endpoint = "";
  let kms: KMSClient | undefined;
  const created: string[] = [];
  const target: AwsTarget = {
    get endpoint() {
      return endpoint;
    },
    get kms() {
      return kms!;
    },
    config: () => ({
      endpoint,
      region,
      ...(external
        ? {}
        : { credentials: { accessKeyId: TEST_ADMIN.accessKeyId, secretAccessKey: TEST_ADMIN.secretAccessKey } }),
    }),
    async newKey(input = {}) {
      const out = await target.kms.send(new CreateKeyCommand(input));
      created.push(out.KeyMetadata!.KeyId!);
      return out.KeyMetadata!;
    },
  };
  beforeAll(async () => {
    if (!external) server = await startServer();
    endpoint = external ?? server!.url;
    kms = new KMSClient(target.config());
  });
  afterAll(async () => {
    if (external) {
      for (const KeyId of created) {
        await kms?.send(new ScheduleKeyDeletionCommand({ KeyId, PendingWindowInDays: 7 })).catch(() => {});
      }
    }
    kms?.destroy();
    await server?.stop();
  });
  return target;
}

/** The AWS exception name a call fails with; throws if it succeeds. */
export async function errorName(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return (err as Error).name;
  }
  throw new Error("expected the call to fail");
}
