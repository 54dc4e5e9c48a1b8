import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/**
 * The figures `/metrics` reads at scrape time (src/metrics): deployments by status and the queued jobs by kind.
 * Two grouped queries over indexed columns; both stores answer them the same way.
 */
export function createMetricsRepo(db: Kysely<Database>) {
  return {
    async deploymentsByStatus(): Promise<Array<{ status: string; count: number }>> {
      const rows = await db.selectFrom('deployments').select(['status', (eb) => eb.fn.countAll<number | string>().as('count')]).groupBy('status').execute();
      return rows.map((row) => ({ status: row.status, count: Number(row.count) }));
    },
    async queuedJobs(now: Date = new Date()): Promise<Array<{ kind: string; depth: number; oldestAgeSeconds: number }>> {
      const rows = await db
        .selectFrom('jobs')
        .where('state', '=', 'queued')
        .select(['kind', (eb) => eb.fn.countAll<number | string>().as('depth'), (eb) => eb.fn.min('created_at').as('oldest')])
        .groupBy('kind')
        .execute();
      return rows.map((row) => ({
        kind: row.kind,
        depth: Number(row.depth),
        oldestAgeSeconds: row.oldest === null ? 0 : Math.max(0, (now.getTime() - Date.parse(String(row.oldest))) / 1000),
      }));
    },
  };
}
