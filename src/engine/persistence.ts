/**
 * The deployment's persistence batcher. Every step of a deployment writes its result together with the
 * deployment's progress (and log lines) in one lease-checked transaction, so a worker taking over a dead worker's
 * job resumes after the last committed step. Writes that arrive while a transaction is running (parallel nodes of
 * one graph level finishing together) are batched into the next one: a wide level costs a few transactions, not
 * one per node, and each caller still waits for its own commit.
 */
import type { DeploymentRow, DeploymentsRepo } from '../store/deployments-repo.js';
import type { Executor, Store } from '../store/index.js';
import { toJsonText } from '../store/index.js';
import type { DeploymentLog } from './logs.js';

export interface PersistenceBatcher {
  /** Commits the progress, `changes` to the deployment row and whatever `extra` writes, in one transaction. */
  persist: (extra?: (trx: Executor) => Promise<void>, changes?: Partial<DeploymentRow>) => Promise<void>;
}

interface Batch {
  extras: ((trx: Executor) => Promise<void>)[];
  changes: Partial<DeploymentRow>;
  waiters: { resolve: () => void; reject: (error: unknown) => void }[];
}

export function createPersistenceBatcher(options: {
  store: Store;
  deployments: DeploymentsRepo;
  ref: { orgId: string; appId: string; deployId: string };
  /** Confirms (and renews) the lease inside the transaction; throws when another worker owns the job now. */
  guard: (trx: Executor) => Promise<void>;
  /** Wraps each transaction (the worker stops renewing the lease while one is stuck). */
  work?: <T>(run: () => Promise<T>) => Promise<T>;
  /** The progress object to write (read when the batch runs, so later changes are included). */
  progress: () => unknown;
  log: DeploymentLog;
  /** Called after a commit with the row changes it made. */
  onCommitted: (changes: Partial<DeploymentRow>) => void;
}): PersistenceBatcher {
  const { orgId, appId, deployId } = options.ref;
  let batch: Batch | undefined;
  let flushing: Promise<void> = Promise.resolve();

  const runBatch = async (): Promise<void> => {
    const current = batch!;
    batch = undefined;
    try {
      const work = options.work ?? (<T>(run: () => Promise<T>) => run());
      await work(() =>
        options.store.transaction(async (trx) => {
          await options.guard(trx);
          for (const extra of current.extras) await extra(trx);
          await options.deployments.update(orgId, appId, deployId, { progress: toJsonText(options.progress()), ...current.changes }, trx);
          await options.log.flush(trx);
        }),
      );
      options.onCommitted(current.changes);
      for (const w of current.waiters) w.resolve();
    } catch (error) {
      for (const w of current.waiters) w.reject(error);
    }
  };

  return {
    persist(extra, changes = {}) {
      return new Promise<void>((resolve, reject) => {
        if (!batch) {
          batch = { extras: [], changes: {}, waiters: [] };
          flushing = flushing.then(runBatch, runBatch);
        }
        if (extra) batch.extras.push(extra);
        Object.assign(batch.changes, changes);
        batch.waiters.push({ resolve, reject });
      });
    },
  };
}
