/**
 * The UI's URLs: every screen has one, so any screen can be bookmarked, shared and reloaded. Pure functions
 * (no DOM), tested in routes.test.ts.
 *
 *   /ui/signin?next=<path>                          sign in with an API token
 *   /ui/                                            the first organization's grid
 *   /ui/orgs/<org>                                  apps × environments
 *   /ui/orgs/<org>/apps/<app>/envs/<env>            environment
 *   /ui/orgs/<org>/apps/<app>/envs/<env>/deploys/<id>   deployment
 *   /ui/orgs/<org>/apps/<app>/envs/<env>/graph?node=<guresid>   resource graph (node selected)
 *   /ui/orgs/<org>/definitions?app=&env=&type=&class=&res_id=   resource definitions and the "which wins?" tester
 */
export const BASE = '/ui';

export interface EnvRef {
  org: string;
  app: string;
  env: string;
}

/** The "which definition wins?" question (GET /orgs/{org}/baton/match). */
export interface MatchQuestion {
  app: string;
  env: string;
  type: string;
  class: string;
  res_id: string;
}
const MATCH_KEYS = ['app', 'env', 'type', 'class', 'res_id'] as const;

export type Route =
  | { name: 'signin'; next?: string }
  | { name: 'home' }
  | { name: 'grid'; org: string }
  | ({ name: 'env' } & EnvRef)
  | ({ name: 'deploy'; deploy: string } & EnvRef)
  | ({ name: 'graph'; node?: string } & EnvRef)
  | { name: 'defs'; org: string; question?: MatchQuestion }
  | { name: 'notfound'; path: string };

const seg = (s: string): string => encodeURIComponent(s);

export function formatRoute(route: Route): string {
  switch (route.name) {
    case 'signin':
      return `${BASE}/signin${route.next ? `?next=${encodeURIComponent(route.next)}` : ''}`;
    case 'home':
      return `${BASE}/`;
    case 'grid':
      return `${BASE}/orgs/${seg(route.org)}`;
    case 'env':
      return `${BASE}/orgs/${seg(route.org)}/apps/${seg(route.app)}/envs/${seg(route.env)}`;
    case 'deploy':
      return `${formatRoute({ ...route, name: 'env' })}/deploys/${seg(route.deploy)}`;
    case 'graph':
      return `${formatRoute({ ...route, name: 'env' })}/graph${route.node ? `?node=${encodeURIComponent(route.node)}` : ''}`;
    case 'defs': {
      const q = route.question ? `?${new URLSearchParams(MATCH_KEYS.map((k) => [k, route.question![k]])).toString()}` : '';
      return `${BASE}/orgs/${seg(route.org)}/definitions${q}`;
    }
    case 'notfound':
      return route.path;
  }
}

function decode(s: string): string | undefined {
  try {
    const d = decodeURIComponent(s);
    return d === '' ? undefined : d;
  } catch {
    return undefined;
  }
}

/** The route of a path and query string (`location.pathname`, `location.search`). */
export function parseRoute(pathname: string, search = ''): Route {
  const query = new URLSearchParams(search);
  if (pathname !== BASE && !pathname.startsWith(`${BASE}/`)) return { name: 'notfound', path: pathname };
  const parts = pathname.slice(BASE.length).split('/').filter((p) => p !== '');
  const values = parts.map(decode);
  if (values.some((v) => v === undefined)) return { name: 'notfound', path: pathname };
  const v = values as string[];
  const notfound: Route = { name: 'notfound', path: pathname };
  if (v.length === 0) return { name: 'home' };
  if (v[0] === 'signin' && v.length === 1) {
    const next = query.get('next');
    // Only a path inside the UI: never an absolute URL to another site.
    return next && next.startsWith(`${BASE}/`) && !next.startsWith('//') ? { name: 'signin', next } : { name: 'signin' };
  }
  if (v[0] !== 'orgs' || v.length < 2) return notfound;
  const org = v[1]!;
  if (v.length === 2) return { name: 'grid', org };
  if (v.length === 3 && v[2] === 'definitions') {
    if (!query.has('type')) return { name: 'defs', org };
    const question = Object.fromEntries(MATCH_KEYS.map((k) => [k, query.get(k) ?? ''])) as unknown as MatchQuestion;
    return { name: 'defs', org, question };
  }
  if (v[2] !== 'apps' || v[4] !== 'envs' || v.length < 6) return notfound;
  const ref = { org, app: v[3]!, env: v[5]! };
  if (v.length === 6) return { name: 'env', ...ref };
  if (v.length === 7 && v[6] === 'graph') {
    const node = query.get('node');
    return node ? { name: 'graph', ...ref, node } : { name: 'graph', ...ref };
  }
  if (v.length === 8 && v[6] === 'deploys') return { name: 'deploy', ...ref, deploy: v[7]! };
  return notfound;
}
