import { Redis } from 'ioredis';
import Type from 'typebox';
import type { Driver, DeprovisionRequest, JsonObject, ProvisionRequest, ProvisionResult } from './contract.js';
import { throwIfAborted } from './infra/cancel.js';
import { credentialCookie, passwordFromCookie } from './infra/credentials.js';
import { driverFailure } from './infra/failures.js';
import { parseInputs } from './infra/inputs.js';
import { deriveName } from './infra/naming.js';
import { generatePassword } from './infra/passwords.js';

const RedisValues = Type.Object({
  host: Type.String({ minLength: 1 }),
  port: Type.Integer({ minimum: 1, maximum: 65535, default: 6379 }),
  /** On deprovision, also delete every key under the prefix. */
  delete_data: Type.Boolean({ default: false }),
});

/** Admin login; both optional because a default-user-only Redis needs neither. */
const RedisSecrets = Type.Object({
  username: Type.Optional(Type.String({ minLength: 1 })),
  password: Type.Optional(Type.String()),
});

export interface RedisDriverOptions {
  connectTimeoutMillis?: number;
}

/** The ACL user and its key prefix share one derived name; keys must look like `<key_prefix>:...`. */
export function redisNames(guresid: string): { username: string; keyPrefix: string } {
  const name = deriveName(guresid, { prefix: 'baton', separator: '-', maxLength: 64 });
  return { username: name, keyPrefix: name };
}

/**
 * Data commands only, on the user's own keys and channels. Admin, dangerous (FLUSHALL, KEYS, CONFIG,
 * DEBUG, ...) and scripting commands stay off: scripts could reach keys a script does not declare.
 */
const COMMAND_RULES = [
  '-@all',
  '+@read',
  '+@write',
  '+@keyspace',
  '+@string',
  '+@hash',
  '+@list',
  '+@set',
  '+@sortedset',
  '+@stream',
  '+@bitmap',
  '+@hyperloglog',
  '+@geo',
  '+@pubsub',
  '+@transaction',
  '+@connection',
  '+@blocking',
  '-@dangerous',
  '-@admin',
  '-@scripting',
];

export function createRedisDriver(options: RedisDriverOptions = {}): Driver {
  const connectTimeout = options.connectTimeoutMillis ?? 10_000;

  function readInputs(request: ProvisionRequest) {
    return {
      values: parseInputs(RedisValues, request.driver.values, 'redis driver values'),
      admin: parseInputs(RedisSecrets, request.driver.secrets, 'redis driver secrets'),
    };
  }

  async function connectAdmin(request: ProvisionRequest, inputs: ReturnType<typeof readInputs>): Promise<Redis> {
    throwIfAborted(request.signal, 'connecting to Redis');
    const client = new Redis({
      host: inputs.values.host,
      port: inputs.values.port,
      ...(inputs.admin.username !== undefined ? { username: inputs.admin.username } : {}),
      ...(inputs.admin.password !== undefined ? { password: inputs.admin.password } : {}),
      lazyConnect: true,
      connectTimeout,
      // Fail fast instead of reconnecting forever; the engine decides about retries.
      retryStrategy: () => null,
      maxRetriesPerRequest: 0,
    });
    client.on('error', () => undefined);
    try {
      await client.connect();
      return client;
    } catch (error) {
      client.disconnect();
      throw driverFailure(`cannot connect to Redis at ${inputs.values.host}:${inputs.values.port}`, error, [
        inputs.admin.password,
      ]);
    }
  }

  /** Persists ACL changes when the server keeps users in an ACL file; otherwise they live in memory/config. */
  async function saveAcl(client: Redis, request: ProvisionRequest): Promise<void> {
    const config: unknown = await client.call('CONFIG', 'GET', 'aclfile').catch(() => []);
    const aclFile: unknown = Array.isArray(config) ? config[1] : undefined;
    if (typeof aclFile === 'string' && aclFile.length > 0) {
      await client.call('ACL', 'SAVE');
      request.log('info', 'saved ACL file');
    }
  }

  async function provision(request: ProvisionRequest): Promise<ProvisionResult> {
    const inputs = readInputs(request);
    const { username, keyPrefix } = redisNames(request.guresid);
    const cookiePassword = passwordFromCookie(request.cookie, username);
    const password = cookiePassword ?? generatePassword();
    const client = await connectAdmin(request, inputs);
    try {
      const existing = await client.call('ACL', 'GETUSER', username);
      if (existing === null) request.log('info', `creating ACL user ${username} on keys ${keyPrefix}:*`);
      else if (cookiePassword === undefined)
        request.log('warn', `ACL user ${username} exists without a recorded password; adopting it with a new password`);
      else request.log('info', `ACL user ${username} exists; re-applying its rules`);
      throwIfAborted(request.signal, 'configuring the Redis ACL user');
      // `reset` first makes the rule set exactly ours however the user looked before (idempotent, repairs drift).
      await client.call(
        'ACL',
        'SETUSER',
        username,
        'reset',
        'on',
        `>${password}`,
        `~${keyPrefix}:*`,
        `&${keyPrefix}:*`,
        ...COMMAND_RULES,
      );
      await saveAcl(client, request);
    } catch (error) {
      throw driverFailure(`provisioning Redis ACL user ${username}`, error, [password, inputs.admin.password]);
    } finally {
      client.disconnect();
    }
    const values: JsonObject = { host: inputs.values.host, port: inputs.values.port, key_prefix: keyPrefix };
    return { values, secrets: { username, password }, manifests: [], cookie: credentialCookie(username, password) };
  }

  async function deprovision(request: DeprovisionRequest): Promise<void> {
    const inputs = readInputs(request);
    const { username, keyPrefix } = redisNames(request.guresid);
    const client = await connectAdmin(request, inputs);
    try {
      request.log('info', `deleting ACL user ${username}`);
      await client.call('ACL', 'DELUSER', username);
      // Redis 7 drops the user's connections on DELUSER; older servers need an explicit kill.
      await client.call('CLIENT', 'KILL', 'USER', username).catch(() => undefined);
      await saveAcl(client, request);
      if (inputs.values.delete_data) {
        let deleted = 0;
        let cursor = '0';
        do {
          throwIfAborted(request.signal, 'deleting Redis keys');
          const [next, keys] = await client.scan(cursor, 'MATCH', `${keyPrefix}:*`, 'COUNT', 500);
          cursor = next;
          if (keys.length > 0) deleted += await client.unlink(...keys);
        } while (cursor !== '0');
        request.log('info', `deleted ${deleted} keys under ${keyPrefix}:`);
      }
    } catch (error) {
      throw driverFailure(`deprovisioning Redis ACL user ${username}`, error, [inputs.admin.password]);
    } finally {
      client.disconnect();
    }
  }

  return {
    id: 'baton/redis',
    types: ['redis'],
    inputsSchema: { type: 'object', properties: { values: RedisValues, secrets: RedisSecrets } },
    provision,
    deprovision,
  };
}
