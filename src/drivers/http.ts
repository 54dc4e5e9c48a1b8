/**
 * Custom drivers over HTTP, speaking Humanitec's driver protocol:
 * `PUT {target}{GUResID}` with `{type, resource, driver: {values, secrets}}` and the `Humanitec-Driver-Cookie`
 * header; 200 = done, 202 = in progress (the same request is re-sent with backoff until 200); the
 * `Set-Humanitec-Driver-Cookie` response header becomes the stored cookie; `DELETE` deprovisions
 * (204/200 done, 202 in progress, 404 already gone). Errors carry the driver's own message.
 *
 * Requests go through node:http(s) with no time limit of their own (fetch's client gives up on headers after
 * 5 minutes): the only bound is the call's signal, i.e. the driver deadline (`callDriver`) or a cancel.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { DriverFailed } from '../shared/errors.js';
import {
  MANIFEST_LOCATIONS,
  MAX_DRIVER_ANSWER_BYTES,
  type DeprovisionRequest,
  type Driver,
  type DriverManifest,
  type JsonObject,
  type ManifestLocation,
  type ProvisionRequest,
  type ProvisionResult,
} from './contract.js';

export const COOKIE_REQUEST_HEADER = 'Humanitec-Driver-Cookie';
export const COOKIE_RESPONSE_HEADER = 'Set-Humanitec-Driver-Cookie';

export interface HttpDriverOptions {
  /** Driver id as used in `driver_type`, e.g. `my-org/s3`. */
  id: string;
  /** URL prefix; the GUResID is appended (a missing trailing `/` is added). */
  target: string;
  /** Resource type the driver produces; absent means any. */
  type?: string;
  inputsSchema?: JsonObject;
  /** Resource account types it accepts (its registration's `account_types`); empty or absent: any. */
  accountTypes?: readonly string[];
  /** First wait after a 202; doubles up to `maxPollIntervalMs`. */
  pollIntervalMs?: number;
  maxPollIntervalMs?: number;
  /** Extra request headers (e.g. authentication the driver expects). */
  headers?: Record<string, string>;
}

const DEFAULT_POLL_MS = 1_000;
const DEFAULT_MAX_POLL_MS = 15_000;
/** Error bodies are quoted into deployment errors; a driver returning a web page must not flood them. */
const MAX_MESSAGE_CHARS = 2_000;

export function createHttpDriver(options: HttpDriverOptions): Driver {
  const base = options.target.endsWith('/') ? options.target : `${options.target}/`;
  let parsedBase: URL;
  try {
    parsedBase = new URL(base);
  } catch {
    throw new DriverFailed(`custom driver "${options.id}" has an invalid target URL "${options.target}"`, { driver: options.id });
  }
  const firstWait = options.pollIntervalMs ?? DEFAULT_POLL_MS;
  const maxWait = options.maxPollIntervalMs ?? DEFAULT_MAX_POLL_MS;
  const urlFor = (guresid: string): string => new URL(encodeURIComponent(guresid), parsedBase).toString();

  const exchange = async (
    method: 'PUT' | 'DELETE',
    request: ProvisionRequest,
    cookie: string | undefined,
  ): Promise<{ status: number; text: string; setCookie: string | null }> => {
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (cookie !== undefined && cookie !== '') headers[COOKIE_REQUEST_HEADER] = cookie;
    let body: string | undefined;
    if (method === 'PUT') {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(inputData(request));
    }
    const url = urlFor(request.guresid);
    try {
      return await send(url, method, headers, body, request.signal);
    } catch (error) {
      throw transportFailure(options.id, method, url, request.signal, error);
    }
  };

  const driver: Driver = {
    id: options.id,
    ...(options.type === undefined ? {} : { types: [options.type] }),
    ...(options.inputsSchema === undefined ? {} : { inputsSchema: options.inputsSchema }),
    ...(options.accountTypes !== undefined && options.accountTypes.length > 0 ? { accountTypes: options.accountTypes } : {}),
    async provision(request: ProvisionRequest): Promise<ProvisionResult> {
      let cookie = typeof request.cookie === 'string' ? request.cookie : undefined;
      let wait = firstWait;
      for (;;) {
        const answer = await exchange('PUT', request, cookie);
        // The cookie can change while in progress; the re-sent request must carry the newest one.
        if (answer.setCookie !== null) cookie = answer.setCookie === '' ? undefined : answer.setCookie;
        if (answer.status === 200) {
          const result = outputData(options.id, answer.text);
          if (cookie !== undefined) result.cookie = cookie;
          return result;
        }
        if (answer.status === 202) {
          request.log('debug', `custom driver "${options.id}" is still provisioning ${request.guresid}; asking again in ${wait} ms`);
          await sleep(wait, request.signal, options.id, 'PUT');
          wait = Math.min(wait * 2, maxWait);
          continue;
        }
        throw statusFailure(options.id, 'PUT', urlFor(request.guresid), answer.status, answer.text);
      }
    },
    async deprovision(request: DeprovisionRequest): Promise<void> {
      let cookie = typeof request.cookie === 'string' ? request.cookie : undefined;
      let wait = firstWait;
      for (;;) {
        const answer = await exchange('DELETE', request, cookie);
        if (answer.setCookie !== null) cookie = answer.setCookie === '' ? undefined : answer.setCookie;
        if (answer.status === 204 || answer.status === 200 || answer.status === 404) return;
        if (answer.status === 202) {
          await sleep(wait, request.signal, options.id, 'DELETE');
          wait = Math.min(wait * 2, maxWait);
          continue;
        }
        throw statusFailure(options.id, 'DELETE', urlFor(request.guresid), answer.status, answer.text);
      }
    },
  };
  return driver;
}

/** The protocol's InputData. Account credentials travel in `driver.secrets.account`, as Humanitec sends them. */
function inputData(request: ProvisionRequest): JsonObject {
  const secrets =
    request.account !== undefined && request.driver.secrets.account === undefined
      ? { ...request.driver.secrets, account: request.account }
      : request.driver.secrets;
  return { type: request.type, resource: request.resource, driver: { values: request.driver.values, secrets } };
}

function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Older protocol revisions used singular locations and the key `manifest`; both are still accepted. */
const LEGACY_LOCATIONS: Record<string, ManifestLocation> = { container: 'containers', volume: 'volumes' };

function outputData(driverId: string, text: string): ProvisionResult {
  const invalid = (problem: string): never => {
    throw new DriverFailed(`custom driver "${driverId}" answered 200 with an invalid body: ${problem}`, { driver: driverId, body: clip(text) });
  };
  let body: unknown;
  try {
    body = JSON.parse(text) as unknown;
  } catch {
    return invalid('not JSON');
  }
  if (!isPlainObject(body)) return invalid('not a JSON object');
  const resource = body.resource ?? {};
  if (!isPlainObject(resource)) return invalid('"resource" is not an object');
  const values = resource.values ?? {};
  const secrets = resource.secrets ?? {};
  if (!isPlainObject(values)) return invalid('"resource.values" is not an object');
  if (!isPlainObject(secrets)) return invalid('"resource.secrets" is not an object');
  const rawManifests = body.manifests ?? [];
  if (!Array.isArray(rawManifests)) return invalid('"manifests" is not a list');
  const manifests = rawManifests.map((entry: unknown, index): DriverManifest => {
    if (!isPlainObject(entry)) return invalid(`manifests[${index}] is not an object`);
    const rawLocation = typeof entry.location === 'string' ? entry.location : '';
    const location = LEGACY_LOCATIONS[rawLocation] ?? rawLocation;
    if (!MANIFEST_LOCATIONS.includes(location as ManifestLocation)) {
      return invalid(`manifests[${index}].location ${JSON.stringify(entry.location)} is not one of ${MANIFEST_LOCATIONS.join(', ')}`);
    }
    const data = entry.data ?? entry.manifest;
    if (!isPlainObject(data)) return invalid(`manifests[${index}].data is not an object`);
    // The protocol's manifests are an unnamed list; the index keeps names unique and stable for a stable driver.
    return { name: `manifest-${index}`, location: location as ManifestLocation, data };
  });
  return { values, secrets, manifests };
}

function clip(text: string): string {
  return text.length > MAX_MESSAGE_CHARS ? `${text.slice(0, MAX_MESSAGE_CHARS)}…` : text;
}

/** The driver's own words: `{message}` / `{error}` from a JSON body, else the body text. */
function driverMessage(text: string): string {
  try {
    const body = JSON.parse(text) as unknown;
    if (isPlainObject(body)) {
      for (const key of ['message', 'error', 'detail']) {
        const value = body[key];
        if (typeof value === 'string' && value !== '') return clip(value);
        if (isPlainObject(value) && typeof value.message === 'string') return clip(value.message);
      }
    }
  } catch {
    // Not JSON: the raw text is the message.
  }
  return clip(text.trim()) || '(empty body)';
}

function statusFailure(driverId: string, method: string, url: string, status: number, text: string): DriverFailed {
  // 5xx, 409 (an uncancellable operation is in progress) and 429 may succeed later; other 4xx will not.
  const retryable = status >= 500 || status === 409 || status === 429;
  return new DriverFailed(
    `custom driver "${driverId}" answered ${status} to ${method} ${url}: ${driverMessage(text)}`,
    { driver: driverId, method, url, status, body: clip(text) },
    { retryable },
  );
}

function transportFailure(driverId: string, method: string, url: string, signal: AbortSignal, error: unknown): DriverFailed {
  if (signal.aborted) {
    const reason: unknown = signal.reason;
    if (reason instanceof DriverFailed) return reason;
    return new DriverFailed(`custom driver "${driverId}": ${method} ${url} was aborted`, { driver: driverId, method, url }, {
      cause: reason,
      retryable: true,
    });
  }
  const message = error instanceof Error ? (error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message) : String(error);
  return new DriverFailed(`custom driver "${driverId}" could not be reached (${method} ${url}): ${message}`, { driver: driverId, method, url }, {
    cause: error,
    retryable: true,
  });
}

/** One request; no redirects followed (a 3xx is a status like any other), no time limit but `signal`. */
function send(
  url: string,
  method: 'PUT' | 'DELETE',
  headers: Record<string, string>,
  body: string | undefined,
  signal: AbortSignal,
): Promise<{ status: number; text: string; setCookie: string | null }> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const requestFn = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const outgoing = { ...headers, ...(body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}) };
    const req = requestFn(target, { method, headers: outgoing, signal }, (res) => {
      const chunks: Buffer[] = [];
      let received = 0;
      res.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > MAX_DRIVER_ANSWER_BYTES) {
          req.destroy(new Error(`the answer is larger than the limit of ${MAX_DRIVER_ANSWER_BYTES} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      res.on('error', reject);
      // A connection closed mid-body must fail the call, not leave it waiting for an 'end' that never comes.
      res.on('close', () => {
        if (!res.complete) reject(new Error('the connection closed before the response ended'));
      });
      res.on('end', () => {
        const cookie = res.headers[COOKIE_RESPONSE_HEADER.toLowerCase()];
        resolve({
          status: res.statusCode ?? 0,
          text: Buffer.concat(chunks).toString('utf8'),
          setCookie: typeof cookie === 'string' ? cookie : Array.isArray(cookie) ? cookie.join(', ') : null,
        });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

function sleep(ms: number, signal: AbortSignal, driverId: string, method: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(transportFailure(driverId, method, '(waiting to poll)', signal, signal.reason));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
}
