/**
 * RBAC (issue #16), table-driven from the route table:
 * - every non-public route declares a permission that is a key of the matrix;
 * - every route, run as each persona, is allowed or denied exactly as the matrix says (denied: 403 naming the role,
 *   or 404 for an org/app the persona may not see), and without a valid token (none, expired, revoked) it is 401;
 * - org isolation: every org-scoped route, called by an administrator of another org, answers 404;
 * - docs/rbac.md renders the matrix.
 *
 * A probe hook after authorization answers 299 for requests carrying `x-authz-probe`, so the allow/deny table
 * runs every route (DELETEs included) without running a handler.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { startInProcessBaton } from '../../test/helpers/in-process.js';
import type { InProcessBaton } from '../../test/helpers/in-process.js';
import { nowIso } from '../store/index.js';
import { PERMISSIONS, evaluate, isPermissionKey, renderPermissionMatrix } from './permissions.js';
import type { AppRole, OrgRole, PermissionKey, Subject } from './permissions.js';
import { ROUTE_MODULES } from './server.js';
import type { RouteModule } from './server.js';

const probe: RouteModule = (app) => {
  app.addHook('preValidation', async (request, reply) => {
    if (request.headers['x-authz-probe'] === '1') await reply.code(299).send({ authorized: true });
  });
};

interface Persona {
  name: string;
  orgRole: OrgRole;
  appRole?: AppRole;
  deployerOn?: string[];
}
const PERSONAS: Persona[] = [
  { name: 'admin', orgRole: 'administrator' },
  { name: 'manager', orgRole: 'manager' },
  { name: 'member-with-viewer', orgRole: 'member', appRole: 'viewer' },
  { name: 'member-with-developer', orgRole: 'member', appRole: 'developer' },
  { name: 'developer-with-deployer-on-development-only', orgRole: 'member', appRole: 'developer', deployerOn: ['development'] },
  { name: 'artefactContributor', orgRole: 'artefactContributor' },
  { name: 'orgViewer', orgRole: 'orgViewer' },
];
const ENV_TYPES = ['development', 'production'];

describe('RBAC: the permission matrix on every route', () => {
  let baton: InProcessBaton;
  const tokens = new Map<string, string>();
  const ids = new Map<string, string>();
  let otherAdminToken: string;
  let expiredToken: string;
  let revokedToken: string;

  before(async () => {
    // Expired and revoked tokens are presented hundreds of times here: the failed-authentication limit is off.
    baton = await startInProcessBaton({ routeModules: [probe, ...ROUTE_MODULES], env: { BATON_AUTH_FAILURE_LIMIT: '0' } });
    const admin = (await baton.app.inject({ method: 'GET', url: '/current-user', headers: baton.authHeaders })).json<{ id: string }>();
    ids.set('admin', admin.id);
    tokens.set('admin', baton.token);
    const call = async (method: 'POST' | 'PUT', url: string, payload: object) => {
      const res = await baton.app.inject({ method, url, payload, headers: baton.authHeaders });
      assert.ok(res.statusCode < 300, `${method} ${url}: ${res.statusCode} ${res.body}`);
      return res.json<{ id: string }>();
    };
    await call('POST', '/orgs/local/apps', { id: 'shop', name: 'Shop' });
    await call('POST', '/orgs/local/apps/shop/envs', { id: 'production', name: 'Production', type: 'production' });
    for (const persona of PERSONAS.slice(1)) {
      const user = await call('POST', '/orgs/local/users', { name: persona.name, role: persona.orgRole });
      ids.set(persona.name, user.id);
      if (persona.appRole) await call('POST', '/orgs/local/apps/shop/users', { id: user.id, role: persona.appRole });
      for (const type of persona.deployerOn ?? []) await call('POST', `/orgs/local/env-types/${type}/users`, { id: user.id, role: 'deployer' });
      tokens.set(persona.name, (await baton.services.tokens.issue(user.id, { id: 'test', description: 'test' })).token);
    }
    // Tokens that must not work: one expired (written through the store, since the API refuses a past expiry), one revoked.
    const dev = ids.get('member-with-developer')!;
    expiredToken = 'expired-' + randomUUID();
    await baton.services.repos.tokens.insert({
      id: 'expired',
      user_id: dev,
      token_hash: baton.services.hasher.hash(expiredToken),
      description: 'expired',
      created_at: nowIso(new Date(Date.now() - 7200_000)),
      created_by: dev,
      expires_at: nowIso(new Date(Date.now() - 3600_000)),
    });
    revokedToken = 'revoked-' + randomUUID();
    await baton.services.tokens.issue(dev, { id: 'revoked', description: 'revoked' }, revokedToken);
    assert.ok(await baton.services.repos.tokens.delete(dev, 'revoked'));

    // A second org with its own administrator, for isolation.
    await baton.services.orgs.create({ id: 'other', name: 'Other' }, 'test');
    await baton.services.envTypes.create('other', { id: 'development' }, 'test');
    await baton.services.envTypes.create('other', { id: 'production' }, 'test');
    const otherAdmin = await baton.services.users.create({ name: 'Other admin', type: 'user' });
    await baton.services.roles.org.add('other', otherAdmin.id, 'administrator');
    otherAdminToken = (await baton.services.tokens.issue(otherAdmin.id, { id: 'test', description: 'test' })).token;
  });
  after(() => baton.stop());

  const routes = () => baton.app.registeredRoutes.filter((r) => r.url !== '/openapi.json');

  it('every non-public route declares a permission of the matrix, and public routes are the known few', () => {
    const problems: string[] = [];
    for (const route of routes()) {
      if (route.public) continue;
      if (route.permission === undefined) problems.push(`${route.method} ${route.url} declares no permission`);
      else if (!isPermissionKey(route.permission)) problems.push(`${route.method} ${route.url} names unknown permission "${route.permission}"`);
    }
    assert.deepEqual(problems, []);
    const publicRoutes = routes().filter((r) => r.public).map((r) => `${r.method} ${r.url}`).sort();
    // The web UI's static files (and `/` redirecting to them) carry no data: the UI calls the API with the user's token.
    assert.deepEqual(publicRoutes, ['GET /', 'GET /healthz', 'GET /readyz', 'GET /ui', 'GET /ui/*', 'POST /baton/invitations/accept', 'POST /baton/login']);
    assert.ok(routes().length > 100, `expected the full route table, got ${routes().length}`);
  });

  /** The concrete requests for a route: one per env type when it addresses an environment. */
  function requestsFor(url: string, userId: string): { url: string; envType: string }[] {
    const envTypes = url.includes(':envId') || url.endsWith('/envs') ? ENV_TYPES : ['development'];
    return envTypes.map((envType) => ({
      envType,
      url: url
        .replace(':orgId', 'local')
        .replace(':appId', 'shop')
        .replace(':envId', envType)
        .replace(':envTypeId', envType)
        .replace(':userId', userId)
        .replace(/:[A-Za-z]+/g, 'x'),
    }));
  }

  function subjectOf(persona: Persona, key: PermissionKey, envType: string, userId: string): Subject {
    const deployerOn = persona.deployerOn ?? [];
    return {
      orgRole: persona.orgRole,
      appRole: persona.appRole,
      deployer: deployerOn.includes(envType),
      deployerOnAllAppEnvTypes: ENV_TYPES.every((t) => deployerOn.includes(t)),
      self: ids.get(persona.name) === userId,
      envType,
      ...(PERMISSIONS[key].scope === 'user' && ids.get(persona.name) !== userId && persona.orgRole !== 'administrator' ? { orgRole: undefined } : {}),
    };
  }

  const inject = (method: string, url: string, token: string | undefined, envType: string) =>
    baton.app.inject({
      method: method as 'GET',
      url,
      headers: { 'x-authz-probe': '1', ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}) },
      ...(['POST', 'PUT', 'PATCH'].includes(method) ? { payload: { type: envType } } : {}),
    });

  it('runs every route as each role and allows or denies it as the matrix says (403 naming the role, 404 when hidden)', async () => {
    const mismatches: string[] = [];
    const tally = new Map<string, { allowed: number; denied: number }>();
    // The target user of /orgs/:orgId/users/:userId routes: the member with viewer (so "self" is exercised too).
    const targetUser = ids.get('member-with-viewer')!;
    for (const route of routes()) {
      if (route.public || !isPermissionKey(route.permission)) continue;
      const key = route.permission;
      for (const { url, envType } of requestsFor(route.url, targetUser)) {
        for (const persona of PERSONAS) {
          const decision = evaluate(key, subjectOf(persona, key, envType, targetUser));
          const res = await inject(route.method, url, tokens.get(persona.name), envType);
          const counts = tally.get(persona.name) ?? { allowed: 0, denied: 0 };
          tally.set(persona.name, counts);
          const what = `${persona.name} ${route.method} ${url} (${key})`;
          if (decision.allowed) {
            counts.allowed++;
            if (res.statusCode !== 299) mismatches.push(`${what}: expected allowed, got ${res.statusCode} ${res.body}`);
          } else if (decision.hidden) {
            counts.denied++;
            const body = res.json<{ details?: { kind?: string } }>();
            const kind = { org: 'organization', app: 'application', user: 'user' }[decision.hidden];
            if (res.statusCode !== 404 || body.details?.kind !== kind) mismatches.push(`${what}: expected 404 ${kind}, got ${res.statusCode} ${res.body}`);
          } else {
            counts.denied++;
            const body = res.json<{ error?: string; message?: string }>();
            if (res.statusCode !== 403 || body.error !== 'FORBIDDEN' || !/role (administrator|manager|member|artefactContributor|orgViewer|viewer|developer|owner)|deployer/.test(body.message ?? '')) {
              mismatches.push(`${what}: expected 403 naming a role, got ${res.statusCode} ${res.body}`);
            }
          }
        }
      }
    }
    assert.deepEqual(mismatches, []);
    // Not vacuous: the administrator is allowed everything, every other persona is denied something and allowed something.
    assert.equal(tally.get('admin')!.denied, 0);
    for (const persona of PERSONAS.slice(1)) {
      const counts = tally.get(persona.name)!;
      assert.ok(counts.allowed > 0 && counts.denied > 0, `${persona.name}: ${JSON.stringify(counts)}`);
    }
  });

  it('spot checks of the matrix highlights', async () => {
    const status = async (persona: string, method: string, url: string, envType = 'development') =>
      (await inject(method, url, tokens.get(persona), envType)).statusCode;
    // Only administrators manage platform configuration.
    for (const persona of ['manager', 'member-with-developer', 'orgViewer', 'artefactContributor']) {
      for (const url of ['/orgs/local/resources/defs', '/orgs/local/resources/drivers', '/orgs/local/env-types', '/orgs/local/workload-profiles']) {
        assert.equal(await status(persona, 'POST', url), 403, `${persona} POST ${url}`);
      }
    }
    assert.equal(await status('admin', 'POST', '/orgs/local/resources/defs'), 299);
    // Deployer on the env type decides deployment rights of developers.
    assert.equal(await status('developer-with-deployer-on-development-only', 'POST', '/orgs/local/apps/shop/envs/development/deploys'), 299);
    assert.equal(await status('developer-with-deployer-on-development-only', 'POST', '/orgs/local/apps/shop/envs/production/deploys'), 403);
    assert.equal(await status('member-with-developer', 'POST', '/orgs/local/apps/shop/envs/development/deploys'), 403);
    assert.equal(await status('developer-with-deployer-on-development-only', 'POST', '/orgs/local/apps/shop/envs', 'production'), 403);
    assert.equal(await status('developer-with-deployer-on-development-only', 'POST', '/orgs/local/apps/shop/envs', 'development'), 299);
    // Viewers read, never write.
    assert.equal(await status('member-with-viewer', 'GET', '/orgs/local/apps/shop/deltas'), 299);
    assert.equal(await status('member-with-viewer', 'POST', '/orgs/local/apps/shop/deltas'), 403);
    assert.equal(await status('orgViewer', 'GET', '/orgs/local/apps/shop'), 299);
    assert.equal(await status('orgViewer', 'PATCH', '/orgs/local/apps/shop'), 403);
    // artefactContributor lists apps, nothing else of them.
    assert.equal(await status('artefactContributor', 'GET', '/orgs/local/apps'), 299);
    assert.equal(await status('artefactContributor', 'GET', '/orgs/local/apps/shop'), 403);
    // A manager without an app role does not see the app at all.
    assert.equal(await status('manager', 'GET', '/orgs/local/apps/shop'), 404);
    assert.equal(await status('manager', 'POST', '/orgs/local/apps'), 299);
  });

  it('answers 401 on every non-public route without a token, with an expired one and with a revoked one', async () => {
    const wrong: string[] = [];
    for (const route of routes()) {
      if (route.public) continue;
      const url = requestsFor(route.url, 'x')[0]!.url;
      for (const [label, token] of [['no token', undefined], ['expired', expiredToken], ['revoked', revokedToken]] as const) {
        const res = await inject(route.method, url, token, 'development');
        // 429 (with Retry-After) once the failed-authentication rate limiter steps in is a refusal too.
        const limited = res.statusCode === 429 && res.headers['retry-after'] !== undefined;
        if (res.statusCode !== 401 && !limited) wrong.push(`${label} ${route.method} ${url}: ${res.statusCode}`);
      }
    }
    assert.deepEqual(wrong, []);
  });

  it('isolates orgs on every org-scoped route: an administrator of another org gets 404, as for a missing org', async () => {
    const leaks: string[] = [];
    let checked = 0;
    for (const route of routes()) {
      if (route.public || !route.url.startsWith('/orgs/:orgId')) continue;
      for (const { url, envType } of requestsFor(route.url, ids.get('member-with-viewer')!)) {
        checked++;
        const res = await inject(route.method, url, otherAdminToken, envType);
        const body = res.json<{ details?: { kind?: string; id?: string } }>();
        if (res.statusCode !== 404 || body.details?.kind !== 'organization' || body.details.id !== 'local') leaks.push(`${route.method} ${url}: ${res.statusCode} ${res.body}`);
        // The same answer as for an org that does not exist at all.
        const missing = await inject(route.method, url.replace('/orgs/local', '/orgs/nope'), otherAdminToken, envType);
        if (missing.statusCode !== 404) leaks.push(`${route.method} ${url} (missing org): ${missing.statusCode}`);
      }
      // And the other way round: local's administrator does not reach org "other".
      const url = requestsFor(route.url, 'x')[0]!.url;
      const res = await inject(route.method, url.replace('/orgs/local', '/orgs/other'), baton.token, 'development');
      if (res.statusCode !== 404) leaks.push(`admin of local ${route.method} ${url} on other: ${res.statusCode}`);
    }
    assert.deepEqual(leaks, []);
    assert.ok(checked > 90, `checked ${checked}`);
    const orgs = await baton.app.inject({ method: 'GET', url: '/orgs', headers: { authorization: `Bearer ${otherAdminToken}` } });
    assert.deepEqual(orgs.json<{ id: string }[]>().map((o) => o.id), ['other']);
  });

  it('docs/rbac.md renders the permission matrix', () => {
    const doc = readFileSync(new URL('../../docs/rbac.md', import.meta.url), 'utf8');
    const start = '<!-- permission-matrix:start -->\n';
    const end = '\n<!-- permission-matrix:end -->';
    const rendered = doc.slice(doc.indexOf(start) + start.length, doc.indexOf(end));
    assert.ok(doc.includes(start) && doc.includes(end), 'docs/rbac.md lacks the permission-matrix markers');
    assert.equal(rendered, renderPermissionMatrix(), 'docs/rbac.md is out of date: regenerate with `npx tsx scripts/render-rbac-doc.ts`');
  });
});
