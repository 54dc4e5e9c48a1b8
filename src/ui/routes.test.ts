import assert from 'node:assert/strict';
import { it } from 'node:test';
import { formatRoute, parseRoute } from './routes.js';
import type { Route } from './routes.js';

it('formats and parses every screen back to the same route', () => {
  const routes: Route[] = [
    { name: 'signin' },
    { name: 'signin', next: '/ui/orgs/local' },
    { name: 'home' },
    { name: 'grid', org: 'local' },
    { name: 'env', org: 'local', app: 'shop', env: 'development' },
    { name: 'deploy', org: 'local', app: 'shop', env: 'development', deploy: '0a1b' },
    { name: 'graph', org: 'local', app: 'shop', env: 'development' },
    { name: 'graph', org: 'local', app: 'shop', env: 'development', node: 'f00/ba r?' },
    { name: 'defs', org: 'local' },
    { name: 'defs', org: 'local', question: { app: 'shop', env: 'development', type: 'postgres', class: '', res_id: 'modules.api.externals.db' } },
  ];
  for (const route of routes) {
    const url = new URL(formatRoute(route), 'http://x');
    assert.deepEqual(parseRoute(url.pathname, url.search), route, formatRoute(route));
  }
});

it('encodes path segments, so an id cannot add a segment', () => {
  assert.equal(formatRoute({ name: 'grid', org: 'a/b' }), '/ui/orgs/a%2Fb');
  assert.deepEqual(parseRoute('/ui/orgs/a%2Fb'), { name: 'grid', org: 'a/b' });
});

it('answers notfound for paths that name no screen, outside /ui, or badly encoded', () => {
  for (const path of ['/ui/nope', '/ui/orgs/local/apps', '/ui/orgs/local/apps/a/envs/e/deploys', '/ui/orgs/local/apps/a/envs/e/x', '/elsewhere', '/ui/orgs/%E0%A4%A']) {
    assert.equal(parseRoute(path).name, 'notfound', path);
  }
});

it('keeps only a next path inside the UI after sign-in', () => {
  assert.deepEqual(parseRoute('/ui/signin', '?next=https://evil.example/'), { name: 'signin' });
  assert.deepEqual(parseRoute('/ui/signin', '?next=//evil.example/ui/'), { name: 'signin' });
  assert.deepEqual(parseRoute('/ui/signin', '?next=/ui/orgs/x'), { name: 'signin', next: '/ui/orgs/x' });
});
