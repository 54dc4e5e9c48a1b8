/**
 * The composition root: `createBaton(config)` builds one Baton process, in this order and nowhere else:
 *
 *   store → secret box → driver registry → services (core, sets, values, resources with defaults, profiles)
 *         → engine (over those services) → environment lifecycle → deployments service
 *         → HTTP server (route modules get the services)
 *
 * Every setting comes from `Config` (src/config); nothing here reads the process environment or invents a data
 * folder or a key. `overrides` exist for tests and benchmarks (extra drivers, a target resolver, a worker id).
 */
import { join } from 'node:path';
import { createAuthFailureLimiter } from '../api/auth-rate-limit.js';
import { buildServer } from '../api/server.js';
import type { BatonApp } from '../api/server.js';
import { assertMayDeploy } from '../api/permissions.js';
import { createArtefactsService, createCiEvents, createRulesService, createWebhooksService } from '../ci/index.js';
import type { DeployGuard } from '../ci/index.js';
import type { Config } from '../config/index.js';
import { BATON_VERSION } from '../config/index.js';
import { createEnvironmentLifecycle } from '../deployments/environment-lifecycle.js';
import { createDeploymentsService } from '../deployments/service.js';
import type { Driver } from '../drivers/contract.js';
import type { DriverRegistry } from '../drivers/registry.js';
import { createEngine, createRegistry, createTargetResolver, localRepositoryWarning, migrateTerraformStateToDatabase, parseGitCredentials } from '../engine/index.js';
import type { GitCredentials } from '../engine/index.js';
import { defaultDefinitions } from '../resources/defaults/index.js';
import { podmanAvailable } from '../targets/index.js';
import type { Engine, EngineTimings, TargetResolver } from '../engine/index.js';
import { bootstrap, createAuditService, createCoreServices, deriveTokenHashKey } from '../org/index.js';
import type { BootstrapResult } from '../org/index.js';
import { createWorkloadProfilesService } from '../profiles/service/index.js';
import type { ResourceDefinition } from '../resources/index.js';
import { createResourceServices } from '../resources/service/index.js';
import { SecretBox, deriveManifestHashKey, fluxSopsSecretCommand, loadOrCreateAgeKey, loadOrCreateSecretKey } from '../secrets/index.js';
import type { AgeKey, SecretStoreResolver } from '../secrets/index.js';
import { createSecretStoresService } from '../secrets/stores/index.js';
import { createResourceAccountsService } from '../secrets/accounts/index.js';
import { createRegistriesService } from '../secrets/registries/index.js';
import { createPublicKeysService } from '../org/public-keys.js';
import { createSetsService } from '../sets/service.js';
import { ensurePrivateDir } from '../shared/private-fs.js';
import { createCiRepo } from '../store/ci-repo.js';
import { createJobsRepo } from '../store/jobs-repo.js';
import { createRuleRunsRepo } from '../store/audit-repo.js';
import { createMetrics } from '../metrics/index.js';
import type { Metrics } from '../metrics/index.js';
import { createMetricsRepo, createStore } from '../store/index.js';
import type { Store } from '../store/index.js';
import { createValueSource, createValuesService } from '../values/index.js';
import type { BatonServices } from './services.js';

export type { BatonServices } from './services.js';

/** `BATON_GITOPS_CREDENTIALS` (`<store>/<ref>`) read from the org's secret store, parsed for git. */
function gitopsCredentialsReader(resolver: SecretStoreResolver, orgId: string, reference: string): () => Promise<GitCredentials> {
  const slash = reference.indexOf('/');
  const storeId = reference.slice(0, slash);
  const ref = reference.slice(slash + 1);
  return async () => parseGitCredentials(await (await resolver(orgId, storeId)).read(ref));
}

/** For tests and benchmarks only: what a production Baton never changes. */
export interface BatonOverrides {
  /** Drivers registered over the built-ins. */
  extraDrivers?: readonly Driver[];
  resolveTarget?: TargetResolver;
  workerId?: string;
  /** Nodes of one graph level provisioned at once (default 8). */
  nodeConcurrency?: number;
  onTimings?: (deployId: string, timings: EngineTimings) => void;
  /** Secret stores for the `external-secrets` secrets mode of file targets (until Baton's own stores are wired here). */
  secretStores?: SecretStoreResolver;
  /**
   * Whether a user may deploy to an environment; automation rules ask it when they are created or changed (a rule
   * deploys as its creator). Default: allow-all until roles exist (the RBAC work passes its real check here).
   */
  assertMayDeploy?: DeployGuard;
}

export interface Baton {
  config: Config;
  store: Store;
  box: SecretBox;
  /** Baton's age key: Secrets written by file targets are SOPS-encrypted to it. */
  ageKey: AgeKey;
  registry: DriverRegistry;
  /** Baton's read-only default definitions, as every path (match, graph, plan, deploy) uses them. */
  defaults: readonly ResourceDefinition[];
  services: BatonServices;
  /** This process's Prometheus metrics (served at `/metrics`). */
  metrics: Metrics;
  engine: Engine;
  app: BatonApp;
  /** The first-start seed (org, env types, administrator). */
  bootstrap: BootstrapResult;
  /** Starts the engine's worker (deployments run); `listen` does it too. */
  startEngine(): void;
  /** Listens on `config.host:config.port` (0: a free port) and starts the engine's worker; returns the base URL. */
  listen(): Promise<string>;
  /**
   * Stops the worker (running deployments get `graceMs`, default 0, to finish before they go back to the queue),
   * the server and the store, in that order.
   */
  close(options?: { graceMs?: number }): Promise<void>;
}

export async function createBaton(config: Config, overrides: BatonOverrides = {}): Promise<Baton> {
  // The data folder holds the database, the secret key, the admin token and terraform state: 0700 when created here.
  ensurePrivateDir(config.dataDir);
  const store = await createStore({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    connectTimeoutMs: config.databaseConnectTimeoutMs,
    statementTimeoutMs: config.databaseStatementTimeoutMs,
  });
  try {
    const secretKey = loadOrCreateSecretKey({ dataDir: config.dataDir, secretKey: config.secretKey });
    const box = new SecretBox(secretKey);
    const core = createCoreServices(store, { tokenHashKey: deriveTokenHashKey(secretKey.material) });
    const seeded = await bootstrap(core, { orgId: config.org, bootstrapToken: config.bootstrapToken, dataDir: config.dataDir });
    const ageKey = loadOrCreateAgeKey({ dataDir: config.dataDir, ageKey: config.ageKey });
    const metrics = createMetrics(createMetricsRepo(store.db));
    const templateLimits = { maxSteps: config.templateMaxSteps, maxOutput: config.templateMaxOutput, timeoutMs: config.templateTimeoutMs };
    // Every Go-template render of the server (definitions, dns-wildcard templates, workload profiles) gets the same two.
    const templateHostLookup = { enabled: config.templateHostLookup, allowedSuffixes: config.templateHostLookupAllow };
    const terraformStateDir = join(config.dataDir, 'terraform');
    const registry = createRegistry({
      terraformStateDir,
      terraformBin: config.terraformBin,
      databaseUrl: config.databaseUrl,
      templateLimits,
      templateHostLookup,
      observeTemplateRender: (seconds, outcome) => metrics.observeTemplateRender(seconds, outcome),
      ...(overrides.extraDrivers ? { extra: overrides.extraDrivers } : {}),
    });
    // The local runtime needs podman: without it Baton starts on the gitops defaults and says why (after the server is up).
    const podman = config.localRuntime === 'podman' ? await podmanAvailable() : undefined;
    const localRuntime = podman?.ok === true ? 'podman' : 'none';
    const defaults = defaultDefinitions({ postgresUrl: config.devPostgresUrl, mysqlUrl: config.devMysqlUrl, redisUrl: config.devRedisUrl, amqpUrl: config.devAmqpUrl }, { localRuntime });

    const sets = createSetsService(store, core);
    const values = createValuesService(store, box);
    const secretStores = createSecretStoresService(store, box);
    const resourceAccounts = createResourceAccountsService(store, box);
    const registries = createRegistriesService(store, box);
    const publicKeys = createPublicKeysService(store);
    const gitopsCredentials = config.gitopsCredentials === undefined ? undefined : gitopsCredentialsReader(secretStores.resolver, config.org, config.gitopsCredentials);
    const resources = createResourceServices({ store, core, secretBox: box, drivers: registry, defaults });
    const profiles = createWorkloadProfilesService(store, core, { templateLimits, templateHostLookup });
    // Webhooks first: the engine and the deployments service tell them about deployments and environments.
    const ciRepo = createCiRepo(store.db);
    let log: (message: string) => void = () => undefined;
    const webhooks = createWebhooksService(
      { store, repo: ciRepo, jobs: createJobsRepo(store.db), box, requireApp: async (orgId, appId) => void (await core.apps.get(orgId, appId)), log: (message) => log(message) },
      { timeoutMs: config.webhookTimeoutMs, retryBaseMs: config.webhookRetryBaseMs, allowLinkLocal: config.webhookAllowLinkLocal, workerId: overrides.workerId, leaseMs: config.engineLeaseMs, pollMs: config.enginePollMs },
    );
    const ciEvents = createCiEvents({ store, webhooks, log: (message) => log(message) });
    const resolveDriver = (orgId: string, driverType: string): Promise<Driver> => resources.drivers.resolveDriver(orgId, driverType);
    const engine = createEngine(
      {
        store,
        core,
        sets,
        definitions: (orgId) => resources.definitions.loadForEngine(orgId),
        pins: (orgId, appId, envId) => resources.definitions.pinsForEngine(orgId, appId, envId),
        driver: async (orgId, driverType) => metrics.instrumentDriver(await resolveDriver(orgId, driverType)),
        types: (orgId) => resources.types.registry(orgId),
        profiles: (orgId) => profiles.profileRegistryFor(orgId),
        recordGraph: (ref, graph) => resources.graphs.record(ref, graph),
        values: createValueSource(store, box, secretStores.resolver),
        resolveTarget:
          overrides.resolveTarget ??
          createTargetResolver(
            config.dataDir,
            {
              ...(config.gitopsUrl !== undefined ? { url: config.gitopsUrl } : {}),
              replicated: config.databaseUrl !== undefined,
              ...(gitopsCredentials ? { credentials: gitopsCredentials } : {}),
            },
            { ageKey, secretStores: overrides.secretStores ?? secretStores.resolver },
          ),
        box,
        manifestHashKey: deriveManifestHashKey(secretKey.material),
        secretStores: secretStores.resolver,
        accountCredentials: (orgId, accountId) => resourceAccounts.credentialsFor(orgId, accountId),
        registries: (orgId) => registries.forDeployments(orgId),
        events: ciEvents,
      },
      {
        workerId: overrides.workerId,
        concurrency: config.engineConcurrency,
        leaseMs: config.engineLeaseMs,
        pollMs: config.enginePollMs,
        driverTimeoutMs: config.driverTimeoutMs,
        nodeConcurrency: overrides.nodeConcurrency ?? 8,
        onTimings: overrides.onTimings,
        onDeploymentEnded: (status) => metrics.deploymentFinished(status),
      },
    );
    const lifecycle = createEnvironmentLifecycle({
      store,
      core,
      deployments: engine.pipeline.deployments,
      activeResources: engine.pipeline.activeResources,
      definitions: engine.pipeline.definitions,
      driver: engine.pipeline.driver,
      box,
      driverTimeoutMs: config.driverTimeoutMs,
      resolveTarget: engine.pipeline.resolveTarget,
      accountCredentials: engine.pipeline.accountCredentials,
    });
    const deployments = createDeploymentsService({ store, core, sets, engine, box, lifecycle, events: ciEvents });
    const rules = createRulesService(
      {
        store,
        repo: ciRepo,
        runs: createRuleRunsRepo(store.db),
        jobs: createJobsRepo(store.db),
        requireEnv: async (orgId, appId, envId) => void (await core.envs.get(orgId, appId, envId)),
        findUser: (userId) => core.repos.users.get(userId),
        // A rule deploys as its creator: creating or changing one needs deployer rights on its env (RBAC matrix).
        assertMayDeploy: overrides.assertMayDeploy ?? ((user, orgId, appId, envId) => assertMayDeploy({ ...user, access: core.access }, orgId, appId, envId)),
        async currentModules(orgId, appId, envId) {
          const state = await engine.pipeline.deployments.getEnvState(orgId, appId, envId);
          if (!state?.from_deploy_id) return undefined;
          const from = await engine.pipeline.deployments.get(orgId, appId, state.from_deploy_id);
          if (!from || from.set_id === '') return undefined;
          return (await sets.sets.get(orgId, appId, from.set_id)).modules;
        },
        createDelta: async (orgId, appId, body, actor) => (await sets.deltas.create(orgId, appId, body, actor)).id,
        deploy: async (orgId, appId, envId, request, actor, within) => (await deployments.submit(orgId, appId, envId, request, actor, { queue: true, within })).id,
        log: (message) => log(message),
      },
      { workerId: overrides.workerId, leaseMs: config.engineLeaseMs, pollMs: config.enginePollMs },
    );
    const artefacts = createArtefactsService({ store, repo: ciRepo, requireOrg: async (orgId) => void (await core.orgs.require(orgId)), rules });
        const gitops = {
      info: () => ({
        repository: join(config.dataDir, 'gitops'),
        ...(config.gitopsUrl !== undefined ? { remote: config.gitopsUrl } : {}),
        secrets_mode: 'sops' as const,
        age_recipient: ageKey.recipient,
        ...(ageKey.path !== undefined ? { age_key_file: ageKey.path } : {}),
        sops_age_secret_command: fluxSopsSecretCommand(ageKey.path),
      }),
    };
    const audit = createAuditService({ store, orgs: core.orgs, access: core.access });
    const services: BatonServices = { core, sets, values, secretStores, resourceAccounts, registries, publicKeys, resources, profiles, deployments, ci: { artefacts, rules, webhooks }, audit, health: { ready: () => store.ready() }, gitops };
    const authFailures = createAuthFailureLimiter({ maxFailures: config.authFailureLimit, windowMs: 60_000 });
    const app = await buildServer({ services, logLevel: config.logLevel, version: BATON_VERSION, authFailures, metrics, metricsPublic: config.metricsPublic });
    log = (message) => app.log.warn(message);
    // SQLite → PostgreSQL: terraform state files left in the data folder move into the database before any job runs.
    const migrated = await migrateTerraformStateToDatabase({ terraformStateDir, terraformBin: config.terraformBin, databaseUrl: config.databaseUrl, log: (level, message) => app.log[level](message) });
    if (config.databaseUrl !== undefined && config.gitopsUrl === undefined) app.log.warn(localRepositoryWarning(config.dataDir));
    // Replicas sharing a remote each encrypt Secrets to their own key unless they share one: Flux would lack the others'.
    if (config.databaseUrl !== undefined && config.gitopsUrl !== undefined && config.ageKey === undefined) {
      app.log.warn(`Secrets in the gitops repository are SOPS-encrypted to this replica's age key (${ageKey.recipient}); give every replica the same BATON_AGE_KEY (docs/operations.md)`);
    }
    if (podman !== undefined && !podman.ok) app.log.warn(`BATON_LOCAL_RUNTIME=podman is set but podman cannot run here (${podman.reason}): development environments deploy to the embedded gitops repository`);
    if (podman?.ok === true) app.log.info('local runtime: development environments run with Podman (docs/local-runtime.md)');
    if (gitopsCredentials) {
      // Checked once at start-up (a warning, not a failure: the secret may be written through the API after start);
      // read again before every fetch and push, so a rotated credential is used from the next deployment on.
      await gitopsCredentials().then(
        () => app.log.info(`gitops remote credentials: readable from ${config.gitopsCredentials}`),
        (error: unknown) => app.log.warn(`gitops remote credentials ${config.gitopsCredentials}: ${error instanceof Error ? error.message : String(error)}`),
      );
    }
    if (migrated.length > 0) app.log.info(`terraform state of ${migrated.length} resource(s) moved from ${terraformStateDir} into PostgreSQL`);

    let engineStarted = false;
    const startEngine = (): void => {
      if (engineStarted) return;
      engine.start();
      webhooks.worker.start();
      rules.worker.start();
      engineStarted = true;
    };
    return {
      config,
      store,
      box,
      ageKey,
      registry,
      defaults,
      services,
      metrics,
      engine,
      app,
      bootstrap: seeded,
      startEngine,
      async listen() {
        await app.listen({ port: config.port, host: config.host });
        startEngine();
        const address = app.server.address();
        const port = typeof address === 'object' && address !== null ? address.port : config.port;
        const host = config.host.includes(':') ? `[${config.host}]` : config.host;
        return `http://${host}:${port}`;
      },
      async close(options = {}) {
        if (engineStarted) await Promise.all([engine.stop(options.graceMs ?? 0), webhooks.worker.stop(), rules.worker.stop()]);
        await app.close();
        await store.close();
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}
