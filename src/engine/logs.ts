/**
 * A deployment's structured, append-only log. Entries are buffered and written in the same transaction as the
 * step they describe (so a log never claims a step that did not commit); secret strings known to the deployment
 * are masked before anything is stored.
 */
import type { DeploymentsRepo, NewDeploymentLog } from '../store/deployments-repo.js';
import type { Executor } from '../store/index.js';
import { nowIso } from '../store/index.js';
import { maskSecrets } from './masking.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface DeploymentLog {
  add(phase: string, level: LogLevel, message: string, resource?: string): void;
  flush(trx?: Executor): Promise<void>;
}

export function createDeploymentLog(repo: DeploymentsRepo, ref: { orgId: string; appId: string; deployId: string }, secrets: ReadonlySet<string>): DeploymentLog {
  let pending: NewDeploymentLog[] = [];
  return {
    add(phase, level, message, resource) {
      const text = maskSecrets(message, secrets);
      pending.push({ org_id: ref.orgId, app_id: ref.appId, deploy_id: ref.deployId, at: nowIso(), phase, level, resource: resource ?? null, message: text });
    },
    async flush(trx) {
      if (pending.length === 0) return;
      const batch = pending;
      pending = [];
      try {
        await repo.appendLogs(batch, trx);
      } catch (error) {
        pending = [...batch, ...pending];
        throw error;
      }
    },
  };
}
