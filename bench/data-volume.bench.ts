/**
 * Data volume: 10,000 apps × 3 environments × 20 deployments (600,000 deployments) seeded straight into the
 * database (the API would take hours to create them), then every list endpoint read page by page through the API:
 * apps (first pages and a deep page), environments of an app, deployments of an environment (a full page of 20).
 * Reports p50/p99 per endpoint over many requests; target p99 < 50 ms. SQLite and PostgreSQL.
 *
 *   node --import tsx bench/data-volume.bench.ts [--quick]
 */
import type { Kysely } from 'kysely';
import type { Database, DialectName } from '../src/store/index.js';
import { nowIso } from '../src/store/index.js';
import { QUICK, median, percentile, startBenchBaton, writeScaleResult } from './scale-support.js';
import type { ScaleFigure } from './scale-support.js';

const APPS = QUICK ? 200 : 10_000;
const ENVS = ['development', 'staging', 'production'];
const DEPLOYS = QUICK ? 3 : 20;
const SAMPLES = QUICK ? 20 : 500;
const BATCH = 500;

async function seed(db: Kysely<Database>): Promise<void> {
  const at = nowIso();
  const progress = JSON.stringify({ phases: [] });
  let seq = 1;
  for (let first = 0; first < APPS; first += BATCH) {
    const ids = Array.from({ length: Math.min(BATCH, APPS - first) }, (_, i) => `app-${String(first + i).padStart(5, '0')}`);
    await db.transaction().execute(async (trx) => {
      await trx.insertInto('apps').values(ids.map((id) => ({ org_id: 'local', id, name: id, created_at: at, created_by: 'bench' }))).execute();
      const envs = ids.flatMap((app_id) => ENVS.map((id) => ({ org_id: 'local', app_id, id, name: id, type: id === 'development' ? 'development' : id, created_at: at, created_by: 'bench' })));
      await trx.insertInto('envs').values(envs).execute();
      const deploys = [];
      for (const app_id of ids) {
        for (const env_id of ENVS) {
          for (let d = 0; d < DEPLOYS; d++) {
            deploys.push({
              org_id: 'local', app_id, env_id, id: `${app_id}-${env_id}-${d}`.slice(0, 64), seq: seq++, from_id: '', delta_id: null, base_set_id: null,
              set_id: '0'.repeat(40), value_set_version_id: null, comment: 'seeded', status: 'succeeded', status_changed_at: at,
              dependency_graph_id: null, progress, created_at: at, created_by: 'bench',
            });
          }
        }
      }
      // Bounded statements: PostgreSQL allows 65,535 parameters per statement.
      for (let i = 0; i < deploys.length; i += 1000) await trx.insertInto('deployments').values(deploys.slice(i, i + 1000)).execute();
    });
  }
}

const figures: ScaleFigure[] = [];
let appsNote = '';
for (const dialect of ['sqlite', 'postgres'] as DialectName[]) {
  const b = await startBenchBaton(dialect);
  try {
    const started = performance.now();
    await seed(b.baton.store.db);
    console.log(`${dialect}: seeded ${APPS} apps, ${APPS * ENVS.length} envs, ${APPS * ENVS.length * DEPLOYS} deployments in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    const timed = async (path: string): Promise<{ ms: number; next: string | undefined }> => {
      const t = performance.now();
      const res = await fetch(b.url + path, { headers: { authorization: `Bearer ${b.token}` } });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`GET ${path}: ${res.status}`);
      const link = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get('link') ?? '')?.[1];
      return { ms: performance.now() - t, next: link === undefined ? undefined : new URL(link, b.url).pathname + new URL(link, b.url).search };
    };
    // The seeded rows are what the API lists (a bench of empty answers would prove nothing).
    const page = await b.call<unknown[]>('GET', '/orgs/local/apps/app-00000/envs/staging/deploys?per_page=20');
    if (page.length !== Math.min(20, DEPLOYS)) throw new Error(`expected ${Math.min(20, DEPLOYS)} seeded deployments, the API listed ${page.length}`);
    // GET /orgs/{org}/apps has no paging today (Humanitec's contract has none): it answers every app at once.
    const appsPaged = (await timed('/orgs/local/apps?per_page=50')).next !== undefined;
    if (!appsPaged) appsNote = ` GET /orgs/{org}/apps is not paginated: each request returned all ${APPS} apps.`;
    // `undefined`: follow the previous answer's Link header (the first page when there is none).
    const endpoints: Record<string, (() => string) | undefined> = {
      'GET /orgs/{org}/apps?per_page=50 (following Link)': undefined,
      'GET /orgs/{org}/apps/{app}/envs': () => `/orgs/local/apps/app-${String(Math.floor(Math.random() * APPS)).padStart(5, '0')}/envs`,
      'GET /orgs/{org}/apps/{app}/envs/{env}/deploys?per_page=20': () => `/orgs/local/apps/app-${String(Math.floor(Math.random() * APPS)).padStart(5, '0')}/envs/${ENVS[Math.floor(Math.random() * 3)]}/deploys?per_page=20`,
    };
    for (const [label, pathFor] of Object.entries(endpoints)) {
      const times: number[] = [];
      let next: string | undefined;
      for (let i = 0; i < SAMPLES; i++) {
        const path = pathFor === undefined ? (next ?? '/orgs/local/apps?per_page=50') : pathFor();
        const r = await timed(path);
        next = r.next;
        times.push(r.ms);
      }
      const p99 = percentile(times, 99);
      figures.push({ label: `${dialect} ${label}: p50 / p99`, value: `${median(times).toFixed(1)} / ${p99.toFixed(1)}`, unit: 'ms', target: 'p99 < 50 ms', met: p99 < 50, limit: 'the query plan of that list (see EXPLAIN) and the shared cores' });
    }
  } finally {
    await b.stop();
  }
}
writeScaleResult('data-volume', figures, `${APPS} apps × ${ENVS.length} envs × ${DEPLOYS} deployments seeded with SQL inserts; ${SAMPLES} sequential requests per endpoint (apps walked page by page following the Link header when there is one, envs and deployments of random apps).${appsNote}`);
