import { randomBytes } from "node:crypto";
import net from "node:net";

/**
 * The image `scripts/postgres-image.sh` builds (Debian bookworm + postgresql-15, imported with
 * `docker import`): no image registry is reachable here, so none is pulled.
 */
export const POSTGRES_IMAGE = process.env.KMS_TEST_POSTGRES_IMAGE ?? "kms-test-postgres:15";

/** A PostgreSQL started for this test run, and how to stop it. */
export interface PostgresContainer {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts a throw-away PostgreSQL with `@testcontainers/postgresql` when a container engine answers
 * and {@link POSTGRES_IMAGE} is present; otherwise resolves with the one-line reason it cannot.
 *
 * Host networking only: the server listens on a free 127.0.0.1 port of the host itself, so no
 * traffic leaves the loopback interface and no bridge or port publishing is needed (the engine
 * here runs with `--bridge=none`). Ryuk, the reaper testcontainers would start from a registry
 * image, is off: the caller stops the container (vitest's global teardown does), and the
 * containers of earlier runs that died before theirs are removed here first.
 */
export async function startPostgresContainer(): Promise<PostgresContainer | string> {
  process.env.TESTCONTAINERS_RYUK_DISABLED = "true";
  // The container shares the host's network, so the host is the loopback address. Without this,
  // testcontainers run inside a container looks for the engine's `bridge` network's gateway.
  process.env.TESTCONTAINERS_HOST_OVERRIDE ??= "127.0.0.1";
  const { getContainerRuntimeClient, ImageName } = await import("testcontainers");
  const { PostgreSqlContainer } = await import("@testcontainers/postgresql");
  let client: Awaited<ReturnType<typeof getContainerRuntimeClient>>;
  try {
    client = await getContainerRuntimeClient();
  } catch {
    return "no container engine answers (start dockerd, or set KMS_TEST_DATABASE_URL)";
  }
  if (!(await client.image.exists(ImageName.fromString(POSTGRES_IMAGE)))) {
    return `the image ${POSTGRES_IMAGE} is missing: build it with scripts/postgres-image.sh`;
  }
  await removeOrphans(client);

  /** The official image's entrypoint is not there: initialise and start the cluster ourselves. */
  class LoopbackPostgres extends PostgreSqlContainer {
    constructor(image: string) {
      super(image);
      // Published ports mean nothing with host networking; testcontainers would wait for them.
      this.exposedPorts = [];
      this.hostConfig.PortBindings = {};
      // An init (the engine's tini) as PID 1: as PID 1 the postmaster would inherit the health
      // check's orphaned pg_isready, take its exit for a crashed backend and restart the cluster.
      this.hostConfig.Init = true;
    }
  }
  const port = await freeLoopbackPort();
  const password = randomBytes(18).toString("base64url");
  const container = new LoopbackPostgres(POSTGRES_IMAGE)
    .withNetworkMode("host")
    .withUser("postgres")
    .withUsername("postgres")
    .withPassword(password)
    .withDatabase("test")
    // PGPORT is read by the server and by the health check's pg_isready alike.
    .withEnvironment({ PGPORT: String(port), PGDATA: "/tmp/pgdata" })
    .withLabels({ [LABEL]: "postgres", [OWNER_LABEL]: String(process.pid) })
    .withCommand([
      "sh",
      "-ec",
      [
        'printf "%s" "$POSTGRES_PASSWORD" > /tmp/pwfile',
        'initdb --auth=scram-sha-256 --username="$POSTGRES_USER" --pwfile=/tmp/pwfile --encoding=UTF8 --no-sync >/dev/null',
        "rm /tmp/pwfile",
        'echo "CREATE DATABASE \\"$POSTGRES_DB\\"" | postgres --single -j postgres >/dev/null',
        "exec postgres -c listen_addresses=127.0.0.1 -c unix_socket_directories=/tmp -c fsync=off -c max_connections=200",
      ].join("\n"),
    ]);
  const started = await container.start();
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/test`,
    stop: async () => {
      await started.stop({ remove: true, timeout: 5_000 });
    },
  };
}

/** Marks this suite's PostgreSQL containers. */
const LABEL = "org.kms.test";
/** The pid of the test run that started a container: the process that must stop it. */
const OWNER_LABEL = "org.kms.test.owner-pid";

type RuntimeClient = Awaited<ReturnType<typeof import("testcontainers").getContainerRuntimeClient>>;

/**
 * Stops and removes the running containers of earlier test runs whose process is gone. With Ryuk
 * off, a run that died before its global teardown (a crash, a kill) left its PostgreSQL running
 * for good; another run's containers, whose process still lives, are left alone. A container
 * without the owner label (started before it existed) has no owner that could still stop it.
 */
async function removeOrphans(client: RuntimeClient): Promise<void> {
  for (const info of await client.container.list()) {
    if (info.Labels?.[LABEL] !== "postgres") continue;
    const owner = Number(info.Labels[OWNER_LABEL]);
    if (Number.isInteger(owner) && owner > 0 && processAlive(owner)) continue;
    const orphan = client.container.getById(info.Id);
    await client.container.stop(orphan, { timeout: 0 });
    await client.container.remove(orphan, { removeVolumes: true });
  }
}

/** Whether a process with this pid exists (EPERM: it does, but belongs to someone else). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** A port no one listens on at the moment (the container binds it a moment later). */
function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
