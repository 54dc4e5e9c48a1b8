import pg from 'pg';
import Type from 'typebox';
import type { Driver, DeprovisionRequest, JsonObject, ProvisionRequest, ProvisionResult } from './contract.js';
import { throwIfAborted } from './infra/cancel.js';
import { credentialCookie, passwordFromCookie } from './infra/credentials.js';
import { driverFailure } from './infra/failures.js';
import { parseInputs } from './infra/inputs.js';
import { deriveName } from './infra/naming.js';
import { generatePassword } from './infra/passwords.js';

const PostgresValues = Type.Object({
  host: Type.String({ minLength: 1 }),
  port: Type.Integer({ minimum: 1, maximum: 65535, default: 5432 }),
  /** Maintenance database the admin connects to. */
  name: Type.String({ minLength: 1, default: 'postgres' }),
  /** CREATE DATABASE … TEMPLATE <template_name>. */
  template_name: Type.Optional(Type.String({ minLength: 1 })),
});

const PostgresSecrets = Type.Object({
  dbcredentials: Type.Object({
    username: Type.String({ minLength: 1 }),
    // Empty is allowed: trust/peer authentication needs none.
    password: Type.String({ default: '' }),
  }),
});

export interface PostgresDriverOptions {
  /** Driver id; defaults to `humanitec/postgres`. */
  id?: string;
  /** Seconds to wait for a connection before failing (retryably). Default 10. */
  connectTimeoutSeconds?: number;
}

/** Postgres identifiers are limited to 63 bytes (NAMEDATALEN - 1). */
const POSTGRES_NAME_RULE = { prefix: 'baton', separator: '_', maxLength: 63 } as const;

export function postgresNames(guresid: string): { database: string; role: string } {
  const name = deriveName(guresid, POSTGRES_NAME_RULE);
  // One name for both keeps the mapping obvious; databases and roles live in different namespaces.
  return { database: name, role: name };
}

interface Admin {
  client: pg.Client;
  serverVersion: number;
}

export function createPostgresDriver(options: PostgresDriverOptions = {}): Driver {
  const connectTimeoutMillis = (options.connectTimeoutSeconds ?? 10) * 1000;

  function readInputs(request: ProvisionRequest) {
    const values = parseInputs(PostgresValues, request.driver.values, 'postgres driver values');
    const secrets = parseInputs(PostgresSecrets, request.driver.secrets, 'postgres driver secrets');
    return { values, admin: secrets.dbcredentials };
  }

  async function connectAdmin(request: ProvisionRequest, inputs: ReturnType<typeof readInputs>): Promise<Admin> {
    throwIfAborted(request.signal, 'connecting to PostgreSQL');
    const client = new pg.Client({
      host: inputs.values.host,
      port: inputs.values.port,
      database: inputs.values.name,
      user: inputs.admin.username,
      password: inputs.admin.password,
      connectionTimeoutMillis: connectTimeoutMillis,
      application_name: 'baton-driver',
    });
    // Without a listener a server-side disconnect would crash the process.
    client.on('error', (error) => request.log('warn', `postgres admin connection error: ${error.message}`));
    try {
      await client.connect();
    } catch (error) {
      throw driverFailure(
        `cannot connect to PostgreSQL at ${inputs.values.host}:${inputs.values.port} as ${inputs.admin.username}`,
        error,
        [inputs.admin.password],
      );
    }
    const version = await client.query<{ server_version_num: string }>('SHOW server_version_num');
    return { client, serverVersion: Number(version.rows[0]?.server_version_num ?? 0) };
  }

  async function exists(client: pg.Client, sql: string, name: string): Promise<boolean> {
    const result = await client.query(sql, [name]);
    return (result.rowCount ?? 0) > 0;
  }

  const roleExists = (client: pg.Client, role: string) => exists(client, 'SELECT 1 FROM pg_roles WHERE rolname = $1', role);
  const databaseExists = (client: pg.Client, database: string) =>
    exists(client, 'SELECT 1 FROM pg_database WHERE datname = $1', database);

  /** Another provision may win the race between our existence check and CREATE; that is fine. */
  function isDuplicate(error: unknown): boolean {
    const code = (error as { code?: unknown } | null)?.code;
    return code === '42710' || code === '42P04' || code === '23505';
  }

  async function provision(request: ProvisionRequest): Promise<ProvisionResult> {
    const inputs = readInputs(request);
    const { database, role } = postgresNames(request.guresid);
    const cookiePassword = passwordFromCookie(request.cookie, role);
    const password = cookiePassword ?? generatePassword();
    const admin = await connectAdmin(request, inputs);
    const { client } = admin;
    const quotedRole = client.escapeIdentifier(role);
    const passwordLiteral = client.escapeLiteral(password);
    try {
      throwIfAborted(request.signal, 'provisioning the PostgreSQL role');
      if (!(await roleExists(client, role))) {
        request.log('info', `creating role ${role}`);
        try {
          await client.query(`CREATE ROLE ${quotedRole} WITH LOGIN PASSWORD ${passwordLiteral}`);
        } catch (error) {
          if (!isDuplicate(error)) throw error;
          await client.query(`ALTER ROLE ${quotedRole} WITH LOGIN PASSWORD ${passwordLiteral}`);
        }
      } else {
        if (cookiePassword === undefined) {
          // The role exists but nobody recorded its password (e.g. Baton died after CREATE ROLE):
          // adopt it by setting a fresh password, which we now return and record in the cookie.
          request.log('warn', `role ${role} exists without a recorded password; adopting it with a new password`);
        } else {
          request.log('info', `role ${role} exists; keeping its recorded password`);
        }
        // Re-asserting the recorded password also repairs drift (someone changed or disabled it).
        await client.query(`ALTER ROLE ${quotedRole} WITH LOGIN PASSWORD ${passwordLiteral}`);
      }

      throwIfAborted(request.signal, 'provisioning the PostgreSQL database');
      const quotedDatabase = client.escapeIdentifier(database);
      if (!(await databaseExists(client, database))) {
        request.log('info', `creating database ${database}`);
        const template =
          inputs.values.template_name !== undefined
            ? ` TEMPLATE ${client.escapeIdentifier(inputs.values.template_name)}`
            : '';
        try {
          await client.query(`CREATE DATABASE ${quotedDatabase} OWNER ${quotedRole}${template}`);
        } catch (error) {
          if (!isDuplicate(error)) throw error;
        }
      } else {
        request.log('info', `database ${database} exists`);
        await client.query(`ALTER DATABASE ${quotedDatabase} OWNER TO ${quotedRole}`);
      }
      // Only the owner (and superusers) may connect: other tenants' roles must not see this database.
      await client.query(`REVOKE ALL ON DATABASE ${quotedDatabase} FROM PUBLIC`);
    } catch (error) {
      throw driverFailure(`provisioning PostgreSQL database ${database}`, error, [password, inputs.admin.password]);
    } finally {
      await client.end().catch(() => undefined);
    }

    const values: JsonObject = { host: inputs.values.host, port: inputs.values.port, name: database };
    return {
      values,
      secrets: { username: role, password },
      manifests: [],
      cookie: credentialCookie(role, password),
    };
  }

  async function deprovision(request: DeprovisionRequest): Promise<void> {
    const inputs = readInputs(request);
    const { database, role } = postgresNames(request.guresid);
    const admin = await connectAdmin(request, inputs);
    const { client, serverVersion } = admin;
    try {
      if (await databaseExists(client, database)) {
        request.log('info', `terminating connections to ${database} and dropping it`);
        // Stop new sessions first so the terminate/drop pair cannot be raced by a reconnect.
        await client.query(`ALTER DATABASE ${client.escapeIdentifier(database)} WITH ALLOW_CONNECTIONS false`);
        await client.query(
          'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
          [database],
        );
        const force = serverVersion >= 130000 ? ' WITH (FORCE)' : '';
        await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(database)}${force}`);
      } else {
        request.log('info', `database ${database} already gone`);
      }
      throwIfAborted(request.signal, 'dropping the PostgreSQL role');
      if (await roleExists(client, role)) {
        request.log('info', `dropping role ${role}`);
        await client.query(
          'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1 AND pid <> pg_backend_pid()',
          [role],
        );
        // Objects the role owns in the maintenance database would block DROP ROLE.
        await client.query(`DROP OWNED BY ${client.escapeIdentifier(role)}`);
        await client.query(`DROP ROLE IF EXISTS ${client.escapeIdentifier(role)}`);
      } else {
        request.log('info', `role ${role} already gone`);
      }
    } catch (error) {
      throw driverFailure(`deprovisioning PostgreSQL database ${database}`, error, [inputs.admin.password]);
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  return {
    id: options.id ?? 'humanitec/postgres',
    aliases: ['baton/postgres'],
    types: ['postgres'],
    inputsSchema: {
      type: 'object',
      properties: { values: PostgresValues, secrets: PostgresSecrets },
    },
    provision,
    deprovision,
  };
}
