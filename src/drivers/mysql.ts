import mysql from 'mysql2/promise';
import Type from 'typebox';
import type { Driver, DeprovisionRequest, JsonObject, ProvisionRequest, ProvisionResult } from './contract.js';
import { throwIfAborted } from './infra/cancel.js';
import { credentialCookie, passwordFromCookie } from './infra/credentials.js';
import { driverFailure } from './infra/failures.js';
import { parseInputs } from './infra/inputs.js';
import { deriveName } from './infra/naming.js';
import { generatePassword } from './infra/passwords.js';

const MysqlValues = Type.Object({
  host: Type.String({ minLength: 1 }),
  port: Type.Integer({ minimum: 1, maximum: 65535, default: 3306 }),
  /** Host part of the created account (`'user'@'<user_host>'`); `%` lets it connect from anywhere. */
  user_host: Type.String({ minLength: 1, maxLength: 255, default: '%' }),
});

const MysqlSecrets = Type.Object({
  dbcredentials: Type.Object({
    username: Type.String({ minLength: 1 }),
    password: Type.String({ default: '' }),
  }),
});

export interface MysqlDriverOptions {
  /** Seconds to wait for a connection before failing (retryably). Default 10. */
  connectTimeoutSeconds?: number;
}

/**
 * Database names may have 64 characters; user names only 32 on MySQL (80 on MariaDB) — use the smaller.
 * No separator: `_` is a wildcard in GRANT and escaping it would push a 64-character name over the limit.
 */
export function mysqlNames(guresid: string): { database: string; user: string } {
  return {
    database: deriveName(guresid, { prefix: 'baton', separator: '', maxLength: 64 }),
    user: deriveName(guresid, { prefix: 'baton', separator: '', maxLength: 32 }),
  };
}

/**
 * In GRANT's database position `_` and `%` are wildcards: `a_b` would also match `aXb`. Derived names
 * contain neither, but escaping keeps the grant confined to exactly one database if that ever changes.
 */
function grantDatabasePattern(database: string): string {
  return database.replace(/[\\_%]/g, (c) => `\\${c}`);
}

function isDuplicateUser(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'ER_CANNOT_USER';
}

function createMysqlFamilyDriver(id: string, aliases: string[], types: string[], options: MysqlDriverOptions): Driver {
  const connectTimeout = (options.connectTimeoutSeconds ?? 10) * 1000;

  function readInputs(request: ProvisionRequest) {
    const values = parseInputs(MysqlValues, request.driver.values, `${id} driver values`);
    const secrets = parseInputs(MysqlSecrets, request.driver.secrets, `${id} driver secrets`);
    return { values, admin: secrets.dbcredentials };
  }

  async function connectAdmin(request: ProvisionRequest, inputs: ReturnType<typeof readInputs>): Promise<mysql.Connection> {
    throwIfAborted(request.signal, 'connecting to MySQL');
    try {
      return await mysql.createConnection({
        host: inputs.values.host,
        port: inputs.values.port,
        user: inputs.admin.username,
        password: inputs.admin.password,
        connectTimeout,
        // Statements here are built with placeholders, one at a time; never allow stacked queries.
        multipleStatements: false,
      });
    } catch (error) {
      throw driverFailure(
        `cannot connect to ${id} server at ${inputs.values.host}:${inputs.values.port} as ${inputs.admin.username}`,
        error,
        [inputs.admin.password],
      );
    }
  }

  async function userExists(connection: mysql.Connection, user: string, host: string): Promise<boolean> {
    const [rows] = await connection.query<mysql.RowDataPacket[]>(
      'SELECT 1 FROM mysql.user WHERE User = ? AND Host = ?',
      [user, host],
    );
    return rows.length > 0;
  }

  async function provision(request: ProvisionRequest): Promise<ProvisionResult> {
    const inputs = readInputs(request);
    const { database, user } = mysqlNames(request.guresid);
    const host = inputs.values.user_host;
    const cookiePassword = passwordFromCookie(request.cookie, user);
    const password = cookiePassword ?? generatePassword();
    const connection = await connectAdmin(request, inputs);
    try {
      throwIfAborted(request.signal, 'provisioning the MySQL user');
      if (!(await userExists(connection, user, host))) {
        request.log('info', `creating user ${user}@${host}`);
        try {
          await connection.query('CREATE USER ?@? IDENTIFIED BY ?', [user, host, password]);
        } catch (error) {
          if (!isDuplicateUser(error)) throw error;
          await connection.query('ALTER USER ?@? IDENTIFIED BY ?', [user, host, password]);
        }
      } else {
        if (cookiePassword === undefined) {
          request.log('warn', `user ${user}@${host} exists without a recorded password; adopting it with a new password`);
        } else {
          request.log('info', `user ${user}@${host} exists; keeping its recorded password`);
        }
        await connection.query('ALTER USER ?@? IDENTIFIED BY ?', [user, host, password]);
      }
      throwIfAborted(request.signal, 'provisioning the MySQL database');
      request.log('info', `ensuring database ${database}`);
      await connection.query('CREATE DATABASE IF NOT EXISTS ??', [database]);
      await connection.query('GRANT ALL PRIVILEGES ON ??.* TO ?@?', [grantDatabasePattern(database), user, host]);
    } catch (error) {
      throw driverFailure(`provisioning ${id} database ${database}`, error, [password, inputs.admin.password]);
    } finally {
      await connection.end().catch(() => undefined);
    }
    // `database` repeats `name` for Score files, which read `${resources.db.database}` (score-compose's output).
    const values: JsonObject = { host: inputs.values.host, port: inputs.values.port, name: database, database };
    return { values, secrets: { username: user, password }, manifests: [], cookie: credentialCookie(user, password) };
  }

  async function deprovision(request: DeprovisionRequest): Promise<void> {
    const inputs = readInputs(request);
    const { database, user } = mysqlNames(request.guresid);
    const host = inputs.values.user_host;
    const connection = await connectAdmin(request, inputs);
    try {
      const [sessions] = await connection.query<mysql.RowDataPacket[]>(
        'SELECT ID FROM information_schema.PROCESSLIST WHERE USER = ? AND ID <> CONNECTION_ID()',
        [user],
      );
      for (const session of sessions) {
        await connection.query('KILL ?', [Number(session.ID)]).catch(() => undefined);
      }
      request.log('info', `dropping database ${database} and user ${user}@${host}`);
      await connection.query('DROP DATABASE IF EXISTS ??', [database]);
      await connection.query('DROP USER IF EXISTS ?@?', [user, host]);
    } catch (error) {
      throw driverFailure(`deprovisioning ${id} database ${database}`, error, [inputs.admin.password]);
    } finally {
      await connection.end().catch(() => undefined);
    }
  }

  return {
    id,
    aliases,
    types,
    inputsSchema: { type: 'object', properties: { values: MysqlValues, secrets: MysqlSecrets } },
    provision,
    deprovision,
  };
}

export function createMysqlDriver(options: MysqlDriverOptions = {}): Driver {
  return createMysqlFamilyDriver('humanitec/mysql', ['baton/mysql'], ['mysql'], options);
}

export function createMariadbDriver(options: MysqlDriverOptions = {}): Driver {
  return createMysqlFamilyDriver('humanitec/mariadb', ['baton/mariadb'], ['mariadb'], options);
}
