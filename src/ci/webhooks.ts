/**
 * Webhooks (Humanitec "jobs", `/orgs/{o}/apps/{a}/webhooks`) and their durable delivery.
 *
 * Emitting an event (`emit`) renders, for every enabled webhook of the app that has the event among its triggers,
 * the webhook's payload template (Humanitec's default payload when it has none) and records a delivery in the
 * outbox (`webhook_deliveries`) with a job on the durable queue (kind `webhook`), in one transaction. A delivery's
 * id is derived from the webhook and the event, so an event emitted twice (a deployment resumed after a crash) is
 * delivered once. The webhook worker sends each delivery (src/ci/delivery.ts), signed with the webhook's secret
 * (`Baton-Signature`), records every attempt, and retries a failure (no answer, or a status outside 2xx) with
 * exponential backoff — `retryBaseMs` doubling up to one hour between tries — until RETRY_WINDOW_MS (24 h) after
 * the event. Deliveries survive restarts: they are rows and jobs in the database.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { JobOutcome } from '../engine/worker.js';
import { Worker } from '../engine/worker.js';
import type { SecretBox } from '../secrets/index.js';
import { InvalidInput, NotFound } from '../shared/errors.js';
import type { CiRepo, WebhookAttemptRow, WebhookDeliveryRow, WebhookRow } from '../store/ci-repo.js';
import type { JobRow, JobsRepo } from '../store/jobs-repo.js';
import type { Executor, Store } from '../store/index.js';
import { fromJsonText, nowIso, toJsonText } from '../store/index.js';
import { checkWebhookUrl, deliver, SIGNATURE_HEADER, signatureHeader } from './delivery.js';
import type { BatonEvent } from './events.js';
import { DEFAULT_PAYLOAD, findEventType, renderPayload } from './events.js';

export const WEBHOOK_JOB = 'webhook';
export const RETRY_WINDOW_MS = 24 * 3_600_000;
const MAX_BACKOFF_MS = 3_600_000;
const MAX_HEADERS = 50;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}$/;
const RESERVED_HEADERS = new Set(['content-length', 'host', 'transfer-encoding', 'connection', SIGNATURE_HEADER.toLowerCase(), 'baton-event', 'baton-delivery']);

export interface Trigger {
  scope: string;
  type: string;
}

export interface WebhookRequest {
  id?: string | undefined;
  url?: string | null | undefined;
  headers?: object | undefined;
  payload?: object | undefined;
  triggers?: Trigger[] | null | undefined;
  disabled?: boolean | null | undefined;
}

export interface WebhookView {
  id: string;
  url: string;
  headers: Record<string, string>;
  payload: Record<string, unknown>;
  triggers: Trigger[];
  disabled: boolean;
  created_at: string;
  created_by: string;
}

export interface DeliveryView {
  id: string;
  event: string;
  state: string;
  attempts: { n: number; at: string; status_code?: number; error?: string; duration_ms: number }[];
  created_at: string;
  updated_at: string;
}

export interface WebhookSettings {
  /** Time limit of one delivery request. */
  timeoutMs: number;
  /** Wait before the first retry; doubles each time, at most one hour. */
  retryBaseMs: number;
  allowLinkLocal: boolean;
  workerId?: string | undefined;
  leaseMs: number;
  pollMs: number;
}

export interface WebhooksServiceDeps {
  store: Store;
  repo: CiRepo;
  jobs: JobsRepo;
  box: SecretBox;
  requireApp(orgId: string, appId: string): Promise<void>;
  log?: (message: string) => void;
}

const secretAad = (orgId: string, appId: string, id: string) => `orgs/${orgId}/apps/${appId}/webhooks/${id}/secret`;

function toView(row: WebhookRow): WebhookView {
  return {
    id: row.id,
    url: row.url,
    headers: fromJsonText<Record<string, string>>(row.headers) ?? {},
    payload: fromJsonText<Record<string, unknown>>(row.payload) ?? {},
    triggers: fromJsonText<Trigger[]>(row.triggers) ?? [],
    disabled: row.disabled === 1,
    created_at: row.created_at,
    created_by: row.created_by,
  };
}

function checkHeaders(headers: object): Record<string, string> {
  const entries = Object.entries(headers);
  if (entries.length > MAX_HEADERS) throw new InvalidInput(`headers: at most ${MAX_HEADERS}`, { field: 'headers' });
  const out: Record<string, string> = {};
  for (const [name, value] of entries) {
    if (!HEADER_NAME.test(name)) throw new InvalidInput(`headers: "${name}" is not a valid header name`, { field: 'headers' });
    if (RESERVED_HEADERS.has(name.toLowerCase())) throw new InvalidInput(`headers: "${name}" is set by Baton`, { field: 'headers' });
    if (typeof value !== 'string' || /[\r\n\0]/.test(value) || value.length > 8192) throw new InvalidInput(`headers: the value of "${name}" must be a string of one line (at most 8192 characters)`, { field: 'headers' });
    out[name] = value;
  }
  return out;
}

function checkTriggers(triggers: Trigger[]): Trigger[] {
  for (const trigger of triggers) {
    if (!findEventType(trigger.scope, trigger.type)) throw new InvalidInput(`triggers: unknown event ${trigger.scope}/${trigger.type} (GET /orgs/{orgId}/events lists them)`, { field: 'triggers' });
  }
  return triggers.map((t) => ({ scope: t.scope, type: t.type }));
}

/** The delay before retry number `failures` (1 = the first retry). */
export function backoffMs(retryBaseMs: number, failures: number): number {
  return Math.min(MAX_BACKOFF_MS, retryBaseMs * 2 ** Math.min(failures - 1, 30));
}

export function createWebhooksService(deps: WebhooksServiceDeps, settings: WebhookSettings) {
  const { repo, store, jobs, box } = deps;

  async function require(orgId: string, appId: string, id: string): Promise<WebhookRow> {
    await deps.requireApp(orgId, appId);
    const row = await repo.webhooks.get(orgId, appId, id);
    if (!row) throw new NotFound('webhook', id, undefined, { org_id: orgId, app_id: appId });
    return row;
  }

  async function handle(job: JobRow, signal: AbortSignal): Promise<JobOutcome> {
    const ref = JSON.parse(job.payload) as { orgId: string; appId: string; deliveryId: string };
    const delivery = await repo.deliveries.get(ref.orgId, ref.appId, ref.deliveryId);
    if (!delivery) return 'failed'; // its webhook was deleted
    const hook = await repo.webhooks.get(ref.orgId, ref.appId, delivery.webhook_id);
    if (!hook) return 'failed';
    const secret = box.open(hook.secret_sealed, secretAad(hook.org_id, hook.app_id, hook.id)) as string;
    const started = Date.now();
    const result = await deliver({
      url: hook.url,
      headers: {
        'content-type': 'application/json',
        ...(fromJsonText<Record<string, string>>(hook.headers) ?? {}),
        'baton-event': delivery.event,
        'baton-delivery': delivery.id,
        [SIGNATURE_HEADER]: signatureHeader(secret, delivery.body),
      },
      body: delivery.body,
      timeoutMs: settings.timeoutMs,
      allowLinkLocal: settings.allowLinkLocal,
      signal,
    });
    // Stopping (or the lease lost): not an attempt; the worker hands the job back and it is sent again.
    if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('aborted');
    const ok = result.statusCode !== undefined && result.statusCode >= 200 && result.statusCode < 300;
    const n = delivery.attempts + 1;
    const error = ok ? null : (result.error ?? `the receiver answered ${result.statusCode}`);
    const expired = Date.now() + backoffMs(settings.retryBaseMs, n) > Date.parse(delivery.created_at) + RETRY_WINDOW_MS;
    const state = ok ? 'succeeded' : expired ? 'failed' : 'retrying';
    const attempt: WebhookAttemptRow = { org_id: delivery.org_id, app_id: delivery.app_id, delivery_id: delivery.id, n, at: nowIso(), status_code: result.statusCode ?? null, error, duration_ms: Date.now() - started };
    await repo.deliveries.recordAttempt(attempt, state);
    if (ok) return 'succeeded';
    if (expired) {
      deps.log?.(`webhook ${hook.id} of ${hook.org_id}/${hook.app_id}: delivery ${delivery.id} given up after ${n} attempts: ${error}`);
      return 'failed';
    }
    return { retryAt: new Date(Date.now() + backoffMs(settings.retryBaseMs, n)), error: error! };
  }

  /** Records an attempt that failed before (or instead of) its request, so the deliveries list shows why. */
  async function recordFailure(job: JobRow, error: string, state: string): Promise<void> {
    const ref = JSON.parse(job.payload) as { orgId: string; appId: string; deliveryId: string };
    const delivery = await repo.deliveries.get(ref.orgId, ref.appId, ref.deliveryId);
    if (!delivery) return;
    await repo.deliveries.recordAttempt({ org_id: ref.orgId, app_id: ref.appId, delivery_id: delivery.id, n: delivery.attempts + 1, at: nowIso(), status_code: null, error, duration_ms: 0 }, state);
  }

  const worker = new Worker({
    jobs,
    dialect: store.dialect,
    kinds: [WEBHOOK_JOB],
    ...(settings.workerId !== undefined ? { workerId: `${settings.workerId}/webhooks` } : {}),
    concurrency: 4,
    leaseMs: Math.max(settings.leaseMs, settings.timeoutMs * 2),
    pollMs: settings.pollMs,
    // Trouble before or after the request (a sealed secret that no longer opens, the database) is retried with the
    // same backoff and window as a failed request, never in a tight loop.
    handler: async ({ job, signal }) => {
      try {
        return await handle(job, signal);
      } catch (error) {
        if (signal.aborted) throw error;
        const message = error instanceof Error ? error.message : String(error);
        deps.log?.(`webhook delivery job ${job.id}: ${message}`);
        const retryAt = Date.now() + backoffMs(settings.retryBaseMs, Math.max(1, job.attempts));
        const expired = retryAt > Date.parse(job.created_at) + RETRY_WINDOW_MS;
        await recordFailure(job, message, expired ? 'failed' : 'retrying').catch(() => undefined);
        return expired ? 'failed' : { retryAt: new Date(retryAt), error: message };
      }
    },
    onError: (job, error) => deps.log?.(`webhook delivery job ${job.id} failed: ${error instanceof Error ? error.message : String(error)}`),
  });

  return {
    worker,
    async list(orgId: string, appId: string): Promise<WebhookView[]> {
      await deps.requireApp(orgId, appId);
      return (await repo.webhooks.list(orgId, appId)).map(toView);
    },
    async get(orgId: string, appId: string, id: string): Promise<WebhookView> {
      return toView(await require(orgId, appId, id));
    },
    /** Creates a webhook; the answer (only this one) carries its signing secret. */
    async create(orgId: string, appId: string, body: WebhookRequest, actor: string): Promise<WebhookView & { signing_secret: string }> {
      await deps.requireApp(orgId, appId);
      if (body.id === undefined || body.url === undefined || body.url === null) throw new InvalidInput('a webhook needs an id and a url', { field: body.id === undefined ? 'id' : 'url' });
      checkWebhookUrl(body.url, settings.allowLinkLocal);
      const secret = randomBytes(32).toString('hex');
      const row: WebhookRow = {
        org_id: orgId,
        app_id: appId,
        id: body.id,
        url: body.url,
        headers: toJsonText(checkHeaders(body.headers ?? {})),
        payload: toJsonText(body.payload ?? {}),
        triggers: toJsonText(checkTriggers(body.triggers ?? [])),
        disabled: body.disabled ? 1 : 0,
        secret_sealed: box.seal(secret, secretAad(orgId, appId, body.id)),
        created_at: nowIso(),
        created_by: actor,
      };
      await repo.webhooks.insert(row);
      return { ...toView(row), signing_secret: secret };
    },
    async update(orgId: string, appId: string, id: string, body: WebhookRequest): Promise<WebhookView> {
      await require(orgId, appId, id);
      const set: Parameters<CiRepo['webhooks']['update']>[3] = {};
      if (body.url !== undefined && body.url !== null) {
        checkWebhookUrl(body.url, settings.allowLinkLocal);
        set.url = body.url;
      }
      if (body.headers !== undefined) set.headers = toJsonText(checkHeaders(body.headers));
      if (body.payload !== undefined) set.payload = toJsonText(body.payload);
      if (body.triggers !== undefined && body.triggers !== null) set.triggers = toJsonText(checkTriggers(body.triggers));
      if (body.disabled !== undefined && body.disabled !== null) set.disabled = body.disabled ? 1 : 0;
      if (Object.keys(set).length > 0) await repo.webhooks.update(orgId, appId, id, set);
      return toView((await repo.webhooks.get(orgId, appId, id))!);
    },
    async delete(orgId: string, appId: string, id: string): Promise<void> {
      await require(orgId, appId, id);
      await repo.webhooks.delete(orgId, appId, id);
    },
    /** `DELETE /orgs/{o}/apps/{a}/jobs`: every webhook of the app. */
    async deleteAll(orgId: string, appId: string): Promise<void> {
      await deps.requireApp(orgId, appId);
      await repo.webhooks.delete(orgId, appId);
    },
    async deliveries(orgId: string, appId: string, id: string): Promise<DeliveryView[]> {
      await require(orgId, appId, id);
      const rows = await repo.deliveries.list(orgId, appId, id, 100);
      const attempts = await repo.deliveries.attempts(orgId, appId, rows.map((r) => r.id));
      return rows.map((r) => ({
        id: r.id,
        event: r.event,
        state: r.state,
        attempts: attempts
          .filter((a) => a.delivery_id === r.id)
          .map((a) => ({ n: a.n, at: a.at, ...(a.status_code !== null ? { status_code: a.status_code } : {}), ...(a.error !== null ? { error: a.error } : {}), duration_ms: a.duration_ms })),
        created_at: r.created_at,
        updated_at: r.updated_at,
      }));
    },
    /** Records a delivery (and its job) for every enabled webhook of the app triggered by `event`. */
    async emit(event: BatonEvent, trx?: Executor): Promise<number> {
      const run = async (t: Executor): Promise<number> => {
        let queued = 0;
        for (const hook of await repo.webhooks.list(event.orgId, event.appId, t)) {
          if (hook.disabled === 1) continue;
          const triggers = fromJsonText<Trigger[]>(hook.triggers) ?? [];
          if (!triggers.some((tr) => tr.scope === event.scope && tr.type === event.type)) continue;
          const template = fromJsonText<Record<string, unknown>>(hook.payload) ?? {};
          const body = JSON.stringify(renderPayload(Object.keys(template).length > 0 ? template : DEFAULT_PAYLOAD, event.properties));
          const at = nowIso();
          const id = createHash('sha256').update(`${hook.id}\n${event.scope}/${event.type}\n${event.key}`).digest('hex').slice(0, 32);
          const delivery: WebhookDeliveryRow = { org_id: event.orgId, app_id: event.appId, webhook_id: hook.id, id, event: `${event.scope}/${event.type}`, body, state: 'pending', attempts: 0, created_at: at, updated_at: at };
          if (!(await repo.deliveries.insertIfAbsent(delivery, t))) continue;
          await jobs.enqueue({ id: `webhook-${event.orgId}-${event.appId}-${id}`, kind: WEBHOOK_JOB, queueKey: `webhook/${event.orgId}/${event.appId}/${id}`, payload: { orgId: event.orgId, appId: event.appId, deliveryId: id }, maxAttempts: 100_000 }, t);
          queued++;
        }
        return queued;
      };
      const queued = trx ? await run(trx) : await store.transaction(run);
      if (queued > 0) worker.wake();
      return queued;
    },
  };
}
export type WebhooksService = ReturnType<typeof createWebhooksService>;
