import Type from 'typebox';
import type { Driver, DeprovisionRequest, JsonObject, ProvisionRequest, ProvisionResult } from './contract.js';
import { DriverFailed } from '../shared/errors.js';
import { throwIfAborted } from './infra/cancel.js';
import { credentialCookie, passwordFromCookie } from './infra/credentials.js';
import { driverFailure, redact } from './infra/failures.js';
import { parseInputs } from './infra/inputs.js';
import { deriveName } from './infra/naming.js';
import { generatePassword } from './infra/passwords.js';

const RabbitValues = Type.Object({
  /** AMQP host handed to workloads. */
  host: Type.String({ minLength: 1 }),
  port: Type.Integer({ minimum: 1, maximum: 65535, default: 5672 }),
  /** Management API base URL; defaults to `http://<host>:15672`. */
  management_url: Type.Optional(Type.String({ minLength: 1 })),
});

const RabbitSecrets = Type.Object({
  /** Management API user with the `administrator` tag. */
  username: Type.String({ minLength: 1 }),
  password: Type.String(),
});

export interface RabbitmqDriverOptions {
  /** Per-request timeout for management API calls. Default 15 s. */
  requestTimeoutMillis?: number;
}

export function rabbitmqNames(guresid: string): { vhost: string; username: string } {
  const name = deriveName(guresid, { prefix: 'baton', separator: '-', maxLength: 64 });
  return { vhost: name, username: name };
}

type Inputs = { values: { host: string; port: number; management_url?: string }; admin: { username: string; password: string } };

export function createRabbitmqDriver(options: RabbitmqDriverOptions = {}): Driver {
  const timeout = options.requestTimeoutMillis ?? 15_000;

  function readInputs(request: ProvisionRequest): Inputs {
    return {
      values: parseInputs(RabbitValues, request.driver.values, 'rabbitmq driver values'),
      admin: parseInputs(RabbitSecrets, request.driver.secrets, 'rabbitmq driver secrets'),
    };
  }

  /**
   * One management API call. Returns the HTTP status for the statuses the caller treats as normal
   * (e.g. 404 on a lookup or a delete) and throws a DriverFailed for anything else.
   */
  async function api(
    request: ProvisionRequest,
    inputs: Inputs,
    method: 'GET' | 'PUT' | 'DELETE',
    path: string,
    body: JsonObject | undefined,
    accept: readonly number[],
    secrets: readonly string[] = [],
  ): Promise<number> {
    throwIfAborted(request.signal, `calling the RabbitMQ management API (${method} ${path})`);
    const base = (inputs.values.management_url ?? `http://${inputs.values.host}:15672`).replace(/\/+$/, '');
    const auth = Buffer.from(`${inputs.admin.username}:${inputs.admin.password}`).toString('base64');
    let response: Response;
    try {
      response = await fetch(`${base}/api/${path}`, {
        method,
        headers: { authorization: `Basic ${auth}`, 'content-type': 'application/json' },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.any([request.signal, AbortSignal.timeout(timeout)]),
      });
    } catch (error) {
      const cause = (error as { cause?: unknown }).cause ?? error;
      const failure = driverFailure(`cannot reach the RabbitMQ management API at ${base}`, cause, [inputs.admin.password]);
      if (failure instanceof DriverFailed) throw new DriverFailed(failure.message, failure.details, { retryable: true, cause });
      throw failure;
    }
    if (accept.includes(response.status)) {
      await response.body?.cancel();
      return response.status;
    }
    const text = redact((await response.text()).slice(0, 500), [inputs.admin.password, ...secrets]);
    throw new DriverFailed(`RabbitMQ management API ${method} /api/${path} answered ${response.status}: ${text}`, {
      status: response.status,
    }, { retryable: response.status >= 500 || response.status === 429 });
  }

  async function provision(request: ProvisionRequest): Promise<ProvisionResult> {
    const inputs = readInputs(request);
    const { vhost, username } = rabbitmqNames(request.guresid);
    const cookiePassword = passwordFromCookie(request.cookie, username);
    const password = cookiePassword ?? generatePassword();
    const v = encodeURIComponent(vhost);
    const u = encodeURIComponent(username);

    const existing = await api(request, inputs, 'GET', `users/${u}`, undefined, [200, 404]);
    if (existing === 404) request.log('info', `creating RabbitMQ user ${username}`);
    else if (cookiePassword === undefined)
      request.log('warn', `RabbitMQ user ${username} exists without a recorded password; adopting it with a new password`);
    else request.log('info', `RabbitMQ user ${username} exists; keeping its recorded password`);
    // PUT is create-or-replace: same password and no tags (no management access) every time.
    await api(request, inputs, 'PUT', `users/${u}`, { password, tags: '' }, [201, 204], [password]);
    request.log('info', `ensuring vhost ${vhost}`);
    await api(request, inputs, 'PUT', `vhosts/${v}`, { description: `Baton resource ${request.resId}` }, [201, 204]);
    await api(request, inputs, 'PUT', `permissions/${v}/${u}`, { configure: '.*', write: '.*', read: '.*' }, [201, 204]);

    const { host, port } = inputs.values;
    const values: JsonObject = { host, port, vhost };
    const url = `amqp://${u}:${password}@${host}:${port}/${v}`;
    return { values, secrets: { username, password, url }, manifests: [], cookie: credentialCookie(username, password) };
  }

  async function deprovision(request: DeprovisionRequest): Promise<void> {
    const inputs = readInputs(request);
    const { vhost, username } = rabbitmqNames(request.guresid);
    request.log('info', `deleting RabbitMQ vhost ${vhost} and user ${username}`);
    // Deleting the vhost closes its connections and drops its queues; deleting the user closes the user's others.
    await api(request, inputs, 'DELETE', `vhosts/${encodeURIComponent(vhost)}`, undefined, [204, 404]);
    await api(request, inputs, 'DELETE', `users/${encodeURIComponent(username)}`, undefined, [204, 404]);
  }

  return {
    id: 'baton/rabbitmq',
    types: ['amqp'],
    inputsSchema: { type: 'object', properties: { values: RabbitValues, secrets: RabbitSecrets } },
    provision,
    deprovision,
  };
}
