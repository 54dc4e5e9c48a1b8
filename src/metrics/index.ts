/**
 * Prometheus metrics of one Baton process (prom-client). `createMetrics` builds its own registry (never
 * prom-client's global one), so two Batons in one process (tests, benchmarks) never share a counter.
 *
 * What is measured, and where it is recorded:
 *   baton_http_request_duration_seconds{method,route,status_code}  histogram, every request (src/api/server.ts);
 *                                                                  `route` is the route pattern, never the raw URL
 *   baton_driver_duration_seconds{driver,operation,outcome}        histogram, every driver call (wrapped in create-baton.ts)
 *   baton_template_render_duration_seconds{outcome}               histogram, every render of the template driver
 *   baton_deployments_finished_total{status}                      counter, deployments this process's worker ended
 *   baton_deployments{status}                                     gauge, read from the database at scrape time
 *   baton_queue_depth{kind} / baton_queue_oldest_age_seconds{kind} gauges, queued jobs, read at scrape time
 * plus prom-client's default process metrics (`baton_process_*`, `baton_nodejs_*`).
 *
 * The database gauges are the whole database's figures: every replica reports the same value, so aggregate them
 * with `max`, not `sum` (docs/operations.md).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Driver } from '../drivers/contract.js';

/** What the scrape-time gauges read from the store. */
export interface MetricsSource {
  /** Deployments by status (whole database). */
  deploymentsByStatus(): Promise<Array<{ status: string; count: number }>>;
  /** Queued jobs by kind, with the age of the oldest in seconds. */
  queuedJobs(): Promise<Array<{ kind: string; depth: number; oldestAgeSeconds: number }>>;
}

export interface Metrics {
  readonly registry: Registry;
  /** The text exposition format, and its content type. */
  scrape(): Promise<{ contentType: string; body: string }>;
  observeRequest(method: string, route: string, statusCode: number, seconds: number): void;
  observeTemplateRender(seconds: number, outcome: 'ok' | 'error'): void;
  deploymentFinished(status: string): void;
  /** An audit log entry could not be written (the request was answered anyway; src/api/audit.ts). */
  auditWriteFailed(): void;
  /** The same driver, with its provision and deprovision calls timed (one wrapper per driver object). */
  instrumentDriver(driver: Driver): Driver;
}

/** Latency buckets in seconds: 1 ms … 10 s for requests, 1 ms … 5 min for drivers. */
const HTTP_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const DRIVER_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 120, 300];
const TEMPLATE_BUCKETS = [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 2];

/** A label value from outside (driver ids of custom drivers): bounded and printable. */
function labelValue(text: string): string {
  return text.length <= 100 ? text : `${text.slice(0, 97)}...`;
}

export function createMetrics(source: MetricsSource, options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'baton_' });

  const http = new Histogram({
    name: 'baton_http_request_duration_seconds',
    help: 'HTTP request latency by method, route pattern and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: HTTP_BUCKETS,
    registers: [registry],
  });
  const driverDuration = new Histogram({
    name: 'baton_driver_duration_seconds',
    help: 'Driver call duration by driver, operation (provision, deprovision) and outcome (ok, error)',
    labelNames: ['driver', 'operation', 'outcome'] as const,
    buckets: DRIVER_BUCKETS,
    registers: [registry],
  });
  const templateRender = new Histogram({
    name: 'baton_template_render_duration_seconds',
    help: 'Render time of the template driver, by outcome (ok, error)',
    labelNames: ['outcome'] as const,
    buckets: TEMPLATE_BUCKETS,
    registers: [registry],
  });
  const finished = new Counter({
    name: 'baton_deployments_finished_total',
    help: "Deployments this process's worker ended, by final status",
    labelNames: ['status'] as const,
    registers: [registry],
  });
  const auditFailures = new Counter({
    name: 'baton_audit_write_failures_total',
    help: 'Audit log writes that failed: requests refused (503) because their entry could not be written, or entries left at status 0 (each also logged as an error)',
    registers: [registry],
  });
  new Gauge({
    name: 'baton_deployments',
    help: 'Deployments in the database by status (the same on every replica: aggregate with max)',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const row of await source.deploymentsByStatus()) this.set({ status: row.status }, row.count);
    },
  });
  // Each queue gauge reads the queue itself (one small grouped query each): prom-client collects, then prints, one
  // metric after the other. `kind="deploy"` is always present, so an alert on it has a series to read.
  const queued = async () => {
    const rows = await source.queuedJobs();
    if (!rows.some((r) => r.kind === 'deploy')) rows.push({ kind: 'deploy', depth: 0, oldestAgeSeconds: 0 });
    return rows;
  };
  new Gauge({
    name: 'baton_queue_depth',
    help: 'Queued jobs waiting for a worker, by kind (the same on every replica: aggregate with max)',
    labelNames: ['kind'] as const,
    registers: [registry],
    async collect() {
      const rows = await queued();
      this.reset();
      for (const row of rows) this.set({ kind: row.kind }, row.depth);
    },
  });
  new Gauge({
    name: 'baton_queue_oldest_age_seconds',
    help: 'Age of the oldest queued job in seconds, by kind (0 when none is queued)',
    labelNames: ['kind'] as const,
    registers: [registry],
    async collect() {
      const rows = await queued();
      this.reset();
      for (const row of rows) this.set({ kind: row.kind }, row.oldestAgeSeconds);
    },
  });

  const wrapped = new WeakMap<Driver, Driver>();
  const timed = async <T>(driverId: string, operation: string, call: () => Promise<T>): Promise<T> => {
    const end = driverDuration.startTimer({ driver: labelValue(driverId), operation });
    try {
      const result = await call();
      end({ outcome: 'ok' });
      return result;
    } catch (error) {
      end({ outcome: 'error' });
      throw error;
    }
  };

  return {
    registry,
    async scrape() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
    observeRequest(method, route, statusCode, seconds) {
      http.observe({ method, route, status_code: String(statusCode) }, seconds);
    },
    observeTemplateRender(seconds, outcome) {
      templateRender.observe({ outcome }, seconds);
    },
    deploymentFinished(status) {
      finished.inc({ status });
    },
    auditWriteFailed() {
      auditFailures.inc();
    },
    instrumentDriver(driver) {
      const known = wrapped.get(driver);
      if (known !== undefined) return known;
      const instrumented: Driver = {
        ...driver,
        provision: (request) => timed(driver.id, 'provision', () => driver.provision(request)),
        deprovision: (request) => timed(driver.id, 'deprovision', () => driver.deprovision(request)),
      };
      wrapped.set(driver, instrumented);
      return instrumented;
    },
  };
}
