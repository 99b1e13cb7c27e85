import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { randomUUID } from "node:crypto";
import type { Tracer } from "@opentelemetry/api";
import { type ConnectRouter, createContextValues } from "@connectrpc/connect";
import { type Logger, pino } from "pino";
import { createConnectAdapter } from "./api/connect-adapter.js";
import { createCryptoService } from "./api/crypto-service.js";
import { createDataKeyService } from "./api/data-key-service.js";
import { registerHealth } from "./api/health.js";
import { createKeyService } from "./api/key-service.js";
import { createAdminService } from "./api/admin-service.js";
import { createMetrics } from "./edge/metrics.js";
import { createAuditSink } from "./edge/audit-sink.js";
import { createAuthenticator } from "./edge/authentication.js";
import { createPipeline } from "./edge/pipeline.js";
import { registerReflection } from "./api/reflection.js";
import { ServingState } from "./edge/serving-state.js";
import { wrapService } from "./api/wrap-service.js";
import { withClientKeys } from "./alibaba/client-key-auth.js";
import { createDkmsHandler } from "./alibaba/handler.js";
import { createAwsHandler } from "./aws/handler.js";
import type { Config } from "./config.js";
import type { CoreDeps } from "./core/deps.js";
import { createKeyAccess } from "./core/access/key-access.js";
import { MaterialCache } from "./core/keys/material-cache.js";
import { startScheduler } from "./core/rotation/scheduler.js";
import { registerPoolMetrics } from "./crypto/pool/pool-metrics.js";
import { type PairGate, Semaphore } from "./crypto/pool/semaphore.js";
import { secureRandom } from "./crypto/random.js";
import { StartupError } from "./startup-error.js";
import type { RootKeyring } from "./crypto/root-keyring.js";
import { Pkcs11SetupError } from "./crypto/pkcs11-token.js";
import { openKeyring, RootKeyRefused } from "./core/root-keys/open-keyring.js";
import { watchActiveRootKey } from "./core/root-keys/watch-active.js";
import { type ConfiguredRootKey, loadConfiguredRootKey } from "./root-key-config.js";
import { ensureAdmin } from "./admin-bootstrap.js";
import { devBanner } from "./dev-mode.js";
import { seedAtStart } from "./seed/seed-at-start.js";
import { SeedError } from "./seed/seed-file.js";
import { clientNameKey, verifiedClientName } from "./edge/client-cert.js";
import { CODE } from "./runtime/code-origin.js";
import { CONSOLE_DIST, createConsoleHandler } from "./console-static.js";
import { createGrpcRouter, served } from "./grpc/grpc-router.js";
import { createHttpApp } from "./http-app.js";
import { createKeyPairs } from "./keypair-pool-wiring.js";
import { requestIdKey, requestIdOf } from "./edge/request-id.js";
import type { KeyStore } from "./store/key-store.js";
import { startListener } from "./server.js";
import { startTracing } from "./telemetry/tracing.js";
import { openStore, sqliteFile } from "./store/open-store.js";
import { AdminService, file_kms_v1_admin_service } from "../gen/kms/v1/admin_service_pb.js";
import { CryptoService, file_kms_v1_crypto_service } from "../gen/kms/v1/crypto_service_pb.js";
import { DataKeyService, file_kms_v1_data_key_service } from "../gen/kms/v1/data_key_service_pb.js";
import { file_kms_v1_key_service, KeyService } from "../gen/kms/v1/key_service_pb.js";

/** The largest request message either stack accepts. */
const READ_MAX_BYTES = 1024 * 1024;

/** A running service; `stop` drains it. */
export interface Running {
  port: number;
  stop(): Promise<void>;
}

/**
 * The one place that wires config → store → crypto → core → server. Nothing else constructs
 * dependencies, so tests can start exactly what production starts.
 */
/** How a server process of a cluster (`KMS_PROCESSES` > 1) differs: `src/cluster/primary.ts`. */
export interface StartOptions {
  /** The key-pair permits, shared by every process of the server (default: a semaphore of its own). */
  pairGate?: PairGate;
  /** Called once listening, instead of logging "kms listening" (the primary logs that for all). */
  onListening?: (port: number, info: Record<string, unknown>) => void;
}

export async function start(
  config: Config,
  logger: Logger = pino({ level: config.logLevel }),
  opts: StartOptions = {},
): Promise<Running> {
  const serving = new ServingState();
  const tracing = startTracing(config.tracesExporter);
  const tracer = tracing?.tracer;
  const { store, keyring } = await openState(config, logger, { tracer });
  const { keyPairs, pool } = createKeyPairs(config, logger, tracer);
  const deps: CoreDeps = {
    store,
    keyring,
    keyPairs,
    pairSource: pool,
    pairGate: opts.pairGate ?? new Semaphore(config.keyPairConcurrency),
    materialCache: new MaterialCache(60_000, 10_000),
    clock: () => new Date(),
    random: secureRandom,
    newId: randomUUID,
    arn: { region: config.region, accountId: config.accountId },
    access: createKeyAccess(store),
  };
  const adminCredentials = await ensureAdmin(deps, config, logger);
  if (config.seedFile) {
    await seedAtStart(deps, config.seedFile, logger).catch((err: unknown) => {
      throw err instanceof SeedError ? new StartupError(err.message) : err;
    });
  }
  const metrics = createMetrics();
  if (pool) registerPoolMetrics(metrics.registry, pool);
  const authenticate = withClientKeys(
    createAuthenticator({ store, keyring, clock: deps.clock, anyAccessKeyAs: config.dev ? "admin" : undefined }),
    {
      store,
      clock: deps.clock,
    },
  );
  const audit = createAuditSink(store);
  const pipeline = createPipeline({ logger, metrics, authenticate, audit, tracer });
  // One implementation of each service, served by connect-node and (for gRPC) by grpc-js.
  const keys = createKeyService(deps);
  const dataKeys = createDataKeyService(deps);
  const crypto = createCryptoService(deps);
  const admin = createAdminService(deps);
  const reflectionFiles = [
    file_kms_v1_key_service,
    file_kms_v1_data_key_service,
    file_kms_v1_crypto_service,
    file_kms_v1_admin_service,
  ];
  const routes = (router: ConnectRouter) => {
    router.service(KeyService, wrapService(KeyService, keys, pipeline));
    router.service(DataKeyService, wrapService(DataKeyService, dataKeys, pipeline));
    router.service(CryptoService, wrapService(CryptoService, crypto, pipeline));
    router.service(AdminService, wrapService(AdminService, admin, pipeline));
    registerHealth(router, serving);
    registerReflection(router, reflectionFiles);
  };
  const connect = createConnectAdapter({
    routes,
    readMaxBytes: READ_MAX_BYTES,
    contextValues: (req) =>
      createContextValues().set(requestIdKey, requestIdOf(req)).set(clientNameKey, verifiedClientName(req)),
    logger,
  });
  const tls = config.tls
    ? {
        cert: await readFile(config.tls.cert),
        key: await readFile(config.tls.key),
        clientCa: config.tls.clientCa ? await readFile(config.tls.clientCa) : undefined,
      }
    : undefined;
  const listener = await startListener({
    host: config.listen.host,
    port: config.listen.port,
    tls,
    logger,
    limits: config.limits,
    streamRouter:
      config.grpcServer === "grpc-js"
        ? createGrpcRouter({
            services: [
              served(KeyService, keys),
              served(DataKeyService, dataKeys),
              served(CryptoService, crypto),
              served(AdminService, admin),
            ],
            pipeline,
            serving,
            reflectionFiles,
            readMaxBytes: READ_MAX_BYTES,
          })
        : undefined,
    handler: createHttpApp({
      connect,
      aws: createAwsHandler({ deps, pipeline, logger }),
      alibaba: createDkmsHandler({ deps, pipeline, logger }),
      serving,
      metrics,
      authenticate,
      console: config.console
        ? createConsoleHandler({ root: CONSOLE_DIST, apiOrigins: config.consoleApiOrigins })
        : undefined,
      corsOrigins: config.corsOrigins,
    }),
  });
  const scheduler = startScheduler(
    deps,
    60_000,
    (err) => logger.error({ err }, "scheduler pass failed"),
    (work) =>
      logger.info(
        { deleted: work.deleted.length, rotated: work.rotated, expired: work.expired.length },
        "scheduled work done",
      ),
  );
  void scheduler.tick();
  const rootKeyWatch = watchActiveRootKey(store, keyring, (err, id) =>
    logger.error({ err, rootKey: id }, "following the active root key failed"),
  );
  serving.set("SERVING");
  if (config.dev) {
    logger.warn({ dev: true }, "DEV MODE: in-memory database and root key; any SigV4 access key is the admin");
    process.stdout.write(`${devBanner(`http://${config.listen.host}:${listener.port}`, adminCredentials)}\n`);
  }
  const listening = {
    host: config.listen.host,
    tls: Boolean(tls),
    store: store.dialect,
    grpc: config.grpcServer,
    code: CODE,
  };
  if (opts.onListening) {
    logger.info({ ...listening, port: listener.port }, "kms process listening");
    opts.onListening(listener.port, listening);
  } else {
    logger.info({ ...listening, port: listener.port }, "kms listening");
  }

  let stopping: Promise<void> | undefined;
  return {
    port: listener.port,
    stop() {
      stopping ??= (async () => {
        serving.set("DRAINING");
        scheduler.stop();
        rootKeyWatch.stop();
        await listener.close(config.shutdownGraceMs);
        await keyPairs.close();
        deps.materialCache.clear();
        await store.close();
        await keyring.close();
        await tracing?.shutdown();
        logger.info("kms stopped");
      })();
      return stopping;
    },
  };
}

/**
 * Opens the store and the root keyring (`core/root-keys/open-keyring.ts`), refusing a root key
 * that cannot serve the database before anything is written. The server and the `kms` admin
 * commands share it; `keyring.close()` releases the PKCS#11 token.
 */
export async function openState(
  config: Config,
  logger: Logger,
  opts: { create?: boolean; tracer?: Tracer | undefined } = {},
): Promise<{ store: KeyStore; keyring: RootKeyring; root: ConfiguredRootKey }> {
  if (opts.create === false && !config.databaseUrl && !existsSync(sqliteFile(config.dataDir))) {
    throw new StartupError(`there is no database at ${sqliteFile(config.dataDir)}: check KMS_DATA_DIR (--data-dir)`);
  }
  let root: ConfiguredRootKey;
  try {
    root = await loadConfiguredRootKey(config);
  } catch (err) {
    throw err instanceof Pkcs11SetupError ? new StartupError(err.message) : err;
  }
  if (root.source === "generated-dev-file" || root.source === "existing-dev-file") {
    logger.warn(
      { path: root.path },
      "DEVELOPMENT ROOT KEY in use: a key file in the data directory protects every key. Set KMS_ROOT_KEY or KMS_ROOT_KEY_FILE in production.",
    );
  }
  const closeRoot = async () => {
    await root.key.close();
    await root.token?.close();
  };
  let store: KeyStore;
  try {
    store = await openStore({
      databaseUrl: config.dev ? undefined : config.databaseUrl,
      dataDir: config.dataDir,
      logger,
      inMemory: config.dev,
      tracer: opts.tracer,
    });
  } catch (err) {
    await closeRoot();
    throw err;
  }
  try {
    const keyring = await openKeyring({
      store,
      configured: root.key,
      openPkcs11Key: root.openPkcs11Key,
      onClose: async () => root.token?.close(),
      random: secureRandom,
      now: new Date(),
    });
    logger.info({ rootKey: root.key.id, kind: root.key.kind, active: keyring.activeId }, "root keyring open");
    return { store, keyring, root };
  } catch (err) {
    await store.close();
    await closeRoot();
    throw err instanceof RootKeyRefused ? new StartupError(err.message) : err;
  }
}
