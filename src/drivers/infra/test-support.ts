/** Helpers shared by the infrastructure drivers' tests (never imported by product code). */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { DriverLog, JsonObject, ProvisionRequest } from '../contract.js';

/** A GUResID shaped like the real ones (40 lowercase hex chars), unique per call. */
export function randomGuresid(): string {
  return randomBytes(20).toString('hex');
}

export interface LogRecorder {
  log: DriverLog;
  lines: string[];
}

export function recordLogs(): LogRecorder {
  const lines: string[] = [];
  return { lines, log: (level, message) => lines.push(`${level}: ${message}`) };
}

export function provisionRequest(
  fields: {
    guresid: string;
    type: string;
    values?: JsonObject;
    secrets?: JsonObject;
    account?: JsonObject;
    cookie?: unknown;
    signal?: AbortSignal;
    log?: DriverLog;
  },
): ProvisionRequest {
  return {
    guresid: fields.guresid,
    type: fields.type,
    class: 'default',
    resId: 'modules.test.externals.db',
    resource: {},
    driver: { values: fields.values ?? {}, secrets: fields.secrets ?? {} },
    ...(fields.account ? { account: fields.account } : {}),
    ...(fields.cookie !== undefined ? { cookie: fields.cookie } : {}),
    context: { orgId: 'test-org', appId: 'test-app', envId: 'development', envType: 'development' },
    signal: fields.signal ?? new AbortController().signal,
    log: fields.log ?? (() => undefined),
  };
}

/** Fails when any recorded log line contains one of the secrets. */
export function assertNoSecretsLogged(lines: readonly string[], secrets: readonly string[]): void {
  for (const secret of secrets) {
    const leaked = lines.find((line) => line.includes(secret));
    if (leaked !== undefined) throw new Error(`a secret was logged: ${leaked}`);
  }
}

/** Every file under `root` that holds terraform state (lineage or resources); `.terraform/` backend metadata does not count. */
export function terraformStateFilesUnder(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    if (!existsSync(dir)) return;
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.includes('tfstate') && /"lineage"|"resources"/.test(readFileSync(path, 'utf8'))) found.push(path);
    }
  };
  walk(root);
  return found;
}
