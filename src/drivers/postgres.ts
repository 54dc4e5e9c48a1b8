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
  /** A superuser can do everything; a CREATEROLE + CREATEDB admin must be a member of a role to own or drop its database. */
  superuser: boolean;
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
    const self = await client.query<{ rolsuper: boolean }>('SELECT rolsuper FROM pg_roles WHERE rolname = current_user');
    return { client, serverVersion: Number(version.rows[0]?.server_version_num ?? 0), superuser: self.rows[0]?.rolsuper === true };
  }

  async function exists(client: pg.Client, sql: string, name: string): Promise<boolean> {
    const result = await client.query(sql, [name]);
    return (result.rowCount ?? 0) > 0;
  }

  const roleExists = (client: pg.Client, role: string) => exists(client, 'SELECT 1 FROM pg_roles WHERE rolname = $1', role);
  const databaseExists = (client: pg.Client, database: string) =>
    exists(client, 'SELECT 1 FROM pg_database WHERE datname = $1', database);

  /**
   * A non-superuser admin (CREATEROLE + CREATEDB) may only create a database owned by a role, change its owner or
   * drop it, terminate the role's sessions and `DROP OWNED BY` it when it is a member of that role (PostgreSQL 15+
   * checks this; on 16+ the creator holds ADMIN OPTION on roles it created, so it may grant itself membership).
   */
  async function joinRole(admin: Admin, role: string): Promise<void> {
    if (admin.superuser) return;
    const member = await admin.client.query('SELECT 1 FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid WHERE r.rolname = $1 AND m.member = (SELECT oid FROM pg_roles WHERE rolname = current_user)', [role]);
    if ((member.rowCount ?? 0) > 0) return;
    await admin.client.query(`GRANT ${admin.client.escapeIdentifier(role)} TO CURRENT_USER`);
  }

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
    // What this call created, so that a failing step leaves nothing behind.
    let createdRole = false;
    let createdDatabase = false;
    try {
      throwIfAborted(request.signal, 'provisioning the PostgreSQL role');
      if (!(await roleExists(client, role))) {
        request.log('info', `creating role ${role}`);
        try {
          await client.query(`CREATE ROLE ${quotedRole} WITH LOGIN PASSWORD ${passwordLiteral}`);
          createdRole = true;
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
      await joinRole(admin, role);

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
          createdDatabase = true;
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
      await undoProvision(admin, { database: createdDatabase ? database : undefined, role: createdRole ? role : undefined }, request);
      throw driverFailure(`provisioning PostgreSQL database ${database}`, error, [password, inputs.admin.password]);
    } finally {
      await client.end().catch(() => undefined);
    }

    // `database` repeats `name` for Score files, which read `${resources.db.database}` (score-compose's output).
    const values: JsonObject = { host: inputs.values.host, port: inputs.values.port, name: database, database };
    return {
      values,
      secrets: { username: role, password },
      manifests: [],
      cookie: credentialCookie(role, password),
    };
  }

  /** Drops what a failed provision created (best effort: the failure reported is the original one). */
  async function undoProvision(admin: Admin, created: { database: string | undefined; role: string | undefined }, request: ProvisionRequest): Promise<void> {
    const { client } = admin;
    try {
      if (created.database !== undefined) {
        request.log('warn', `provisioning failed: dropping database ${created.database} it created`);
        await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(created.database)}${admin.serverVersion >= 130000 ? ' WITH (FORCE)' : ''}`);
      }
      if (created.role !== undefined) {
        request.log('warn', `provisioning failed: dropping role ${created.role} it created`);
        await client.query(`DROP OWNED BY ${client.escapeIdentifier(created.role)}`);
        await client.query(`DROP ROLE IF EXISTS ${client.escapeIdentifier(created.role)}`);
      }
    } catch (error) {
      request.log('error', `cleaning up after a failed provision: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  async function deprovision(request: DeprovisionRequest): Promise<void> {
    const inputs = readInputs(request);
    const { database, role } = postgresNames(request.guresid);
    const admin = await connectAdmin(request, inputs);
    const { client, serverVersion } = admin;
    try {
      // Owning, terminating and dropping need membership of the role for a non-superuser admin.
      if (await roleExists(client, role)) await joinRole(admin, role);
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
