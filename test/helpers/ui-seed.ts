/**
 * Seeded data for the web UI's browser test and screenshot script, made through Baton's public API:
 *   - app `shop`: two succeeded deployments to `development` (image api:1, then api:2), its `config` resource
 *     `bucket` provisioned by a template-driver definition;
 *   - app `billing`: one failed deployment to `development` (its definition's template calls `fail`), so the
 *     deployment has an error with scope, object and message;
 *   - an automation rule on shop's `development`;
 *   - two human users who sign in with a password (invited, then accepted): `ADMIN_EMAIL` (org administrator) and
 *     `VIEWER_EMAIL` (org member with the app role viewer on both apps).
 */
import { api, waitForDeployment } from './deploy-scenario.js';
import type { ApiTarget } from './deploy-scenario.js';

export const FAILURE_MESSAGE = 'bucket quota exceeded in region eu-1';
export const ADMIN_EMAIL = 'ada.admin@example.test';
export const VIEWER_EMAIL = 'vic.viewer@example.test';
/** The seeded users' password (test data only). */
export const USER_PASSWORD = 'correct horse battery staple';

export interface UiSeed {
  shopFirst: string;
  shopSecond: string;
  billingFailed: string;
}

async function must<T>(baton: ApiTarget, method: string, path: string, body?: unknown): Promise<T> {
  const r = await api<T>(baton, method, path, body);
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

async function deploy(baton: ApiTarget, app: string, image: string, comment: string): Promise<string> {
  const delta = await must<{ id: string }>(baton, 'POST', `/orgs/local/apps/${app}/deltas`, {
    modules: { add: { api: { profile: 'humanitec/default-module', externals: { bucket: { type: 'config' } }, spec: { containers: { main: { id: 'main', image, variables: { BUCKET: '${externals.bucket.bucket}' } } } } } } },
  });
  const { id } = await must<{ id: string }>(baton, 'POST', `/orgs/local/apps/${app}/envs/development/deploys`, { delta_id: delta.id, comment });
  await waitForDeployment(() => [baton], app, id);
  return id;
}

/** A human user with `USER_PASSWORD`: invited with `role`, invitation accepted; answers the user id. */
async function invite(baton: ApiTarget, email: string, name: string, role: string): Promise<string> {
  const [invitation] = await must<{ invite_token: string }[]>(baton, 'POST', '/orgs/local/invitations', { email, role });
  const user = await must<{ id: string }>(baton, 'POST', '/baton/invitations/accept', { token: invitation!.invite_token, name, password: USER_PASSWORD });
  return user.id;
}

export async function seedUiData(baton: ApiTarget): Promise<UiSeed> {
  for (const app of ['shop', 'billing']) await must(baton, 'POST', '/orgs/local/apps', { id: app, name: app[0]!.toUpperCase() + app.slice(1) });
  await must(baton, 'POST', '/orgs/local/resources/defs', {
    id: 'shop-bucket',
    name: 'shop bucket',
    type: 'config',
    driver_type: 'humanitec/template',
    driver_inputs: { values: { templates: { outputs: 'bucket: shop-assets' } } },
    criteria: [{ app_id: 'shop' }],
  });
  await must(baton, 'POST', '/orgs/local/resources/defs', {
    id: 'billing-bucket',
    name: 'billing bucket',
    type: 'config',
    driver_type: 'humanitec/template',
    driver_inputs: { values: { templates: { outputs: `{{ fail "${FAILURE_MESSAGE}" }}` } } },
    criteria: [{ app_id: 'billing' }],
  });
  await must(baton, 'POST', '/orgs/local/apps/shop/envs/development/values', { key: 'LOG_LEVEL', value: 'info', description: 'log level', is_secret: false });
  await must(baton, 'POST', '/orgs/local/apps/shop/envs/development/values', { key: 'API_KEY', value: 'not-for-your-eyes', description: 'payment provider key', is_secret: true });
  const shopFirst = await deploy(baton, 'shop', 'registry.local/shop/api:1', 'First release');
  const shopSecond = await deploy(baton, 'shop', 'registry.local/shop/api:2', 'Second release');
  const billingFailed = await deploy(baton, 'billing', 'registry.local/billing/api:1', 'Billing launch');
  await must(baton, 'POST', '/orgs/local/apps/shop/envs/development/rules', { type: 'update', match_ref: '^refs/heads/main$', artefacts_filter: ['registry.local/shop/api'] });
  await invite(baton, ADMIN_EMAIL, 'Ada Admin', 'administrator');
  const viewer = await invite(baton, VIEWER_EMAIL, 'Vic Viewer', 'member');
  for (const app of ['shop', 'billing']) await must(baton, 'POST', `/orgs/local/apps/${app}/users`, { id: viewer, role: 'viewer' });
  return { shopFirst, shopSecond, billingFailed };
}
