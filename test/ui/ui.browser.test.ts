/**
 * The web UI in a real browser (Debian's chromium through playwright-core) against a real Baton (`baton serve` as a
 * child process, SQLite) with seeded data (test/helpers/ui-seed.ts): sign in with an API token and with a password,
 * actions hidden from a viewer and offered to an administrator, the grid, a failed deployment's error and per-resource
 * status, the set and manifest diffs, the automation rules, the resource graph and a node's details, a rollback
 * (redeploy) after a plan preview that names what changes, appearing as a new deployment. Throughout, in every tab:
 * no console errors, every image has alt text, and every request a page made is a /ui asset or an operation of the
 * OpenAPI document Baton serves. Time to first screen (the 1 s bound) is a speed target: bench/ui.bench.ts
 * measures it into BENCHMARKS.md; a timed assertion here failed whenever the shared test machine was busy.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startBatonProcess } from '../helpers/baton-process.js';
import type { BatonProcess } from '../helpers/baton-process.js';
import { ensureUiBuilt, launchChromium, openApiMatchers } from '../helpers/browser.js';
import { startSlowDriver, submitSlowDeployment } from '../helpers/deploy-scenario.js';
import { ADMIN_EMAIL, FAILURE_MESSAGE, USER_PASSWORD, VIEWER_EMAIL, seedUiData } from '../helpers/ui-seed.js';
import type { UiSeed } from '../helpers/ui-seed.js';

let baton: BatonProcess;
let browser: Browser;
let page: Page;
let seed: UiSeed;
const consoleErrors: string[] = [];
const requests: { method: string; url: string; body: string | null }[] = [];

before(async () => {
  ensureUiBuilt();
  baton = await startBatonProcess();
  seed = await seedUiData(baton);
  browser = await launchChromium();
  page = await trackedPage();
});

/** A new tab (its own session storage, so its own sign-in) whose console errors and requests are recorded. */
async function trackedPage(): Promise<Page> {
  const tab = await browser.newPage({ viewport: { width: 1366, height: 800 } });
  tab.on('console', (msg) => {
    if (msg.type() === 'error') consoleErrors.push(msg.text());
  });
  tab.on('pageerror', (error) => consoleErrors.push(String(error)));
  tab.on('request', (request) => requests.push({ method: request.method(), url: request.url(), body: request.postData() }));
  return tab;
}

async function signInWithPassword(tab: Page, email: string): Promise<void> {
  await tab.goto(`${baton.url}/ui/signin`);
  await tab.getByLabel('Email').fill(email);
  await tab.getByLabel('Password').fill(USER_PASSWORD);
  await tab.getByRole('button', { name: 'Sign in' }).click();
  await tab.getByRole('heading', { name: 'Applications' }).waitFor();
}

after(async () => {
  await browser?.close();
  await baton?.stop();
});

async function assertImagesHaveAlt(): Promise<void> {
  assert.ok((await page.locator('img').count()) > 0, 'no image on the screen to check');
  assert.equal(await page.locator('img:not([alt]), img[alt=""]').count(), 0, 'an image without alt text');
}

it('redirects / to /ui, renders the sign-in screen, and signs in with an API token', async () => {
  await page.goto(`${baton.url}/`);
  await page.getByLabel('Email').waitFor();
  assert.equal(new URL(page.url()).pathname, '/ui/signin');
  await assertImagesHaveAlt();
  await page.getByRole('tab', { name: 'API token' }).click();
  await page.getByLabel('API token').fill(baton.token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Applications' }).waitFor();
  assert.equal(new URL(page.url()).pathname, '/ui/orgs/local');
});

it('shows every app × environment with the last deployment status, again after a reload', async () => {
  await page.getByTestId('cell-shop-development').getByText('succeeded').waitFor();
  await page.getByTestId('cell-billing-development').getByText('failed').waitFor();
  await assertImagesHaveAlt();
  // Signed in (the token kept in the tab), a reload shows the grid with its data again.
  await page.reload();
  await page.getByTestId('cell-billing-development').getByText('failed').waitFor();
  await page.getByTestId('cell-shop-development').getByText('succeeded').waitFor();
});

it('signs a viewer in with email and password and offers no action they may not take; the API refuses it anyway', async () => {
  const viewer = await trackedPage();
  try {
    await signInWithPassword(viewer, VIEWER_EMAIL);
    await viewer.getByText('Vic Viewer').waitFor();
    await viewer.goto(`${baton.url}/ui/orgs/local/apps/shop/envs/development`);
    // The note shows once the perms are known: only then is the absence of the buttons meaningful.
    await viewer.getByTestId('read-only').waitFor();
    await viewer.getByTestId('timeline-entry').first().waitFor();
    for (const name of ['Deploy a delta…', 'New environment…']) assert.equal(await viewer.getByRole('button', { name }).count(), 0, `${name} offered to a viewer`);
    await viewer.getByTestId('automation-rules').waitFor();
    // Authors by name (GET /orgs/{org}/users), not by user id.
    await viewer.getByTestId('timeline-entry').first().getByText('Administrator').waitFor();
    await viewer.goto(`${baton.url}/ui/orgs/local/apps/shop/envs/development/deploys/${seed.shopFirst}`);
    await viewer.getByTestId('read-only').waitFor();
    assert.equal(await viewer.getByRole('button', { name: 'Redeploy this deployment…' }).count(), 0, 'redeploy offered to a viewer');
    assert.ok(requests.some((r) => r.method === 'POST' && r.url.endsWith('/baton/login')), 'no password login was made');
    assert.ok(requests.some((r) => /\/orgs\/local\/users\/[^/]+\/perms$/.test(r.url)), 'the perms were not asked for');
    // The server stays the authority: the viewer's own token cannot deploy.
    const token = await viewer.evaluate(() => (globalThis as unknown as { sessionStorage: { getItem(key: string): string | null } }).sessionStorage.getItem('baton.token'));
    assert.ok(token && token !== baton.token);
    const refused = await fetch(`${baton.url}/orgs/local/apps/shop/envs/development/deploys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ set_id: 'x', comment: 'no' }),
    });
    assert.equal(refused.status, 403);
  } finally {
    await viewer.close();
  }
});

it('signs an administrator in with email and password and offers deploy, redeploy and new environment', async () => {
  const admin = await trackedPage();
  try {
    await signInWithPassword(admin, ADMIN_EMAIL);
    await admin.goto(`${baton.url}/ui/orgs/local/apps/shop/envs/development`);
    await admin.getByRole('button', { name: 'Deploy a delta…' }).waitFor();
    await admin.getByRole('button', { name: 'New environment…' }).waitFor();
    assert.equal(await admin.getByTestId('read-only').count(), 0);
    await admin.goto(`${baton.url}/ui/orgs/local/apps/shop/envs/development/deploys/${seed.shopFirst}`);
    await admin.getByRole('button', { name: 'Redeploy this deployment…' }).waitFor();
  } finally {
    await admin.close();
  }
});

it('opens the failed deployment from the grid and shows its error prominently', async () => {
  await page.getByTestId('cell-billing-development').getByRole('link', { name: /ago$/ }).click();
  const error = page.getByTestId('deployment-error').first();
  await error.waitFor();
  assert.match(await error.innerText(), new RegExp(FAILURE_MESSAGE));
  assert.equal(new URL(page.url()).pathname, `/ui/orgs/local/apps/billing/envs/development/deploys/${seed.billingFailed}`);
  const failedRow = page.getByTestId('resource-statuses').getByRole('row', { name: /modules\.api\.externals\.bucket/ });
  await failedRow.waitFor();
  assert.match(await failedRow.innerText(), new RegExp(`failed[\\s\\S]*${FAILURE_MESSAGE}`));
  await page.getByText('This deployment applied nothing to its target').waitFor();
});

it('deep-links: a reload of the deployment URL shows the same screen', async () => {
  await page.reload();
  await page.getByTestId('deployment-error').first().waitFor();
});

it('shows the environment\'s automation rules', async () => {
  await page.goto(`${baton.url}/ui/orgs/local/apps/shop/envs/development`);
  const rules = page.getByTestId('automation-rules');
  await rules.waitFor();
  const text = await rules.innerText();
  assert.match(text, /\^refs\/heads\/main\$/);
  assert.match(text, /registry\.local\/shop\/api/);
});

it('shows a deployment\'s set diff and manifest diff side by side, per-resource status and timed phases', async () => {
  await page.goto(`${baton.url}/ui/orgs/local/apps/shop/envs/development/deploys/${seed.shopSecond}`);
  const setDiff = page.getByTestId('workload-changes');
  await setDiff.waitFor();
  assert.match(await setDiff.innerText(), /updated\s+api/);
  const manifests = page.getByTestId('manifest-diff');
  await manifests.waitFor();
  const manifestText = await manifests.innerText();
  assert.match(manifestText, /changed\s+Deployment\.apps\/shop-development\/api/, manifestText);
  assert.match(manifestText, /^-.*image: registry\.local\/shop\/api:1$/m);
  assert.match(manifestText, /^\+.*image: registry\.local\/shop\/api:2$/m);
  const [setBox, manifestBox] = [await page.getByTestId('set-diff').boundingBox(), await manifests.boundingBox()];
  assert.ok(setBox && manifestBox && Math.abs(setBox.y - (manifestBox.y - 60)) < 80 && manifestBox.x > setBox.x + setBox.width - 1, 'the diffs are not side by side');
  const resources = page.getByTestId('resource-statuses');
  await resources.waitFor();
  assert.match(await resources.innerText(), /modules\.api\.externals\.bucket[\s\S]*provisioned/);
  const phases = await page.getByTestId('phases').innerText();
  for (const phase of ['read', 'match', 'create', 'deploy']) assert.match(phases, new RegExp(`${phase}\\s+\\d+(\\.\\d)? (ms|s)`));
});

it('opens the resource graph and shows a node\'s definition, driver and outputs on click', async () => {
  await page.goto(`${baton.url}/ui/orgs/local/apps/shop/envs/development`);
  await page.getByRole('link', { name: 'Resource graph' }).click();
  const node = page.getByTestId('node-modules.api.externals.bucket');
  await node.waitFor();
  await node.click();
  const details = page.getByTestId('node-details');
  await details.waitFor();
  const text = await details.innerText();
  assert.match(text, /shop-bucket/);
  assert.match(text, /humanitec\/template/);
  assert.match(text, /shop-assets/);
  assert.match(new URL(page.url()).search, /^\?node=/);
});

it('explains from a graph node which definition wins and why the others lost', async () => {
  await page.getByRole('link', { name: /Why this definition/ }).click();
  const explanation = page.getByTestId('match-explanation');
  await explanation.waitFor();
  assert.match(await explanation.innerText(), /definition "shop-bucket" matches config\.default#modules\.api\.externals\.bucket/);
  assert.match(new URL(page.url()).pathname, /^\/ui\/orgs\/local\/definitions$/);
  await page.getByRole('cell', { name: 'billing-bucket' }).first().waitFor();
});

it('rolls back to the first deployment after confirming, and the new deployment appears', async () => {
  await page.goto(`${baton.url}/ui/orgs/local/apps/shop/envs/development/deploys/${seed.shopFirst}`);
  await page.getByRole('button', { name: 'Redeploy this deployment…' }).click();
  const dialog = page.getByRole('dialog');
  // The preview names what changes: the workload and the field, and the manifests with their diff.
  const preview = dialog.getByTestId('plan-preview');
  await preview.waitFor();
  assert.match(await preview.getByTestId('workload-changes').innerText(), /updated\s+api[\s\S]*spec\.containers\.main\.image/);
  const planned = await preview.getByTestId('plan-manifests').innerText();
  assert.match(planned, /^-.*image: registry\.local\/shop\/api:2$/m);
  assert.match(planned, /^\+.*image: registry\.local\/shop\/api:1$/m);
  await dialog.getByRole('button', { name: 'Confirm redeploy' }).click();
  await page.getByRole('heading', { name: `Redeploy of ${seed.shopFirst}` }).waitFor();
  const newId = new URL(page.url()).pathname.split('/').pop()!;
  assert.ok(![seed.shopFirst, seed.shopSecond].includes(newId), newId);
  await page.locator('.heading-row').getByText('succeeded').waitFor({ timeout: 30_000 });
  await page.getByRole('link', { name: 'development', exact: true }).click();
  await page.getByTestId('timeline-entry').first().waitFor();
  const entries = await page.getByTestId('timeline-entry').allInnerTexts();
  assert.equal(entries.length, 3, entries.join('\n'));
  assert.match(entries[0]!, new RegExp(`Redeploy of ${seed.shopFirst}`));
  await page.getByText('registry.local/shop/api:1').waitFor();
  assert.equal(await page.getByText('not-for-your-eyes').count(), 0, 'a secret value is on screen');
});

it('creates an environment cloned from the current one, shown on its own page and in the grid', async () => {
  await page.goto(`${baton.url}/ui/orgs/local/apps/shop/envs/development`);
  await page.getByTestId('timeline-entry').first().waitFor();
  await page.getByRole('button', { name: 'New environment…' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Id').fill('staging');
  await dialog.getByLabel('Type').selectOption('staging');
  assert.ok(await dialog.getByRole('checkbox').isChecked());
  await dialog.getByRole('button', { name: 'Create environment' }).click();
  await page.getByRole('heading', { name: /staging/ }).waitFor();
  assert.equal(new URL(page.url()).pathname, '/ui/orgs/local/apps/shop/envs/staging');
  await page.getByRole('link', { name: 'Applications' }).click();
  await page.getByTestId('cell-shop-staging').waitFor();
  const env = (await (await fetch(`${baton.url}/orgs/local/apps/shop/envs/staging`, { headers: { authorization: `Bearer ${baton.token}` } })).json()) as { type: string };
  assert.equal(env.type, 'staging');
  // Cloned from development's current deployment (the newest that succeeded).
  const deploys = (await (await fetch(`${baton.url}/orgs/local/apps/shop/envs/development/deploys`, { headers: { authorization: `Bearer ${baton.token}` } })).json()) as { id: string; status: string }[];
  const current = deploys.find((d) => d.status === 'succeeded')!.id;
  const created = requests.find((r) => r.method === 'POST' && r.url.endsWith('/orgs/local/apps/shop/envs'));
  assert.deepEqual(JSON.parse(created!.body!), { id: 'staging', name: 'staging', type: 'staging', from_deploy_id: current });
});

it('deploys a delta after a plan preview that shows its warnings, and shows them on the deployment too', async () => {
  // A variable referencing an environment value nobody set: the plan defers it with a warning (empty string) rather than failing.
  const created = await fetch(`${baton.url}/orgs/local/apps/shop/deltas`, {
    method: 'POST',
    headers: { authorization: `Bearer ${baton.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      metadata: { name: 'feature-flag' },
      modules: { add: { api: { profile: 'humanitec/default-module', externals: { bucket: { type: 'config' } }, spec: { containers: { main: { id: 'main', image: 'registry.local/shop/api:3', variables: { BUCKET: '${externals.bucket.bucket}', FEATURE_FLAG: 'on-${values.FEATURE_FLAG}' } } } } } } },
    }),
  });
  assert.equal(created.status, 200, await created.clone().text());
  const deltaId = ((await created.json()) as { id: string }).id;
  const warning = /workload "api": \$\{values\.FEATURE_FLAG\} at \/containers\/main\/variables\/FEATURE_FLAG is not set in the environment's values; the variable gets an empty string/;

  await page.goto(`${baton.url}/ui/orgs/local/apps/shop/envs/development`);
  await page.getByTestId('timeline-entry').first().waitFor();
  await page.getByRole('button', { name: 'Deploy a delta…' }).click();
  await page.getByRole('button', { name: `Plan delta ${deltaId}` }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByTestId('plan-preview').waitFor();
  const planWarnings = dialog.getByTestId('plan-warnings');
  assert.match(await planWarnings.innerText(), /^1 warning: the deployment goes ahead, but check these first/);
  assert.match(await planWarnings.innerText(), warning);
  assert.ok(await planWarnings.isVisible(), 'the warning is in view when the preview opens');
  await dialog.getByRole('button', { name: 'Confirm deployment' }).click();
  await page.getByRole('heading', { name: /^Delta / }).waitFor();
  assert.match(new URL(page.url()).pathname, /^\/ui\/orgs\/local\/apps\/shop\/envs\/development\/deploys\/[0-9a-f]+$/);
  await page.locator('.heading-row').getByText('succeeded').waitFor({ timeout: 30_000 });
  const sent = requests.filter((r) => r.method === 'POST' && r.url.endsWith('/orgs/local/apps/shop/envs/development/deploys')).pop();
  assert.equal(JSON.parse(sent!.body!).delta_id, deltaId);
  await page.reload();
  assert.match(await page.getByTestId('deployment-warnings').innerText(), warning);
  // A deployment without warnings shows no warning box.
  await page.goto(`${baton.url}/ui/orgs/local/apps/shop/envs/development/deploys/${seed.shopFirst}`);
  await page.getByTestId('deployment-log').waitFor();
  assert.equal(await page.getByTestId('deployment-warnings').count(), 0);
});

it('streams the log of a running deployment and shows its end without a reload', async () => {
  const driver = await startSlowDriver(4000);
  try {
    const id = await submitSlowDeployment(baton, driver, 'slowapp');
    await page.goto(`${baton.url}/ui/orgs/local/apps/slowapp/envs/development/deploys/${id}`);
    await page.getByRole('heading', { name: 'Log (live)' }).waitFor();
    await page.getByTestId('deployment-log').getByText(/provisioning config\.default#modules\.api\.externals\.bucket/).waitFor();
    assert.equal(await page.locator('.heading-row').getByText('succeeded').count(), 0, 'the deployment ended before the live log was seen');
    await page.locator('.heading-row').getByText('succeeded').waitFor({ timeout: 30_000 });
    await page.getByRole('heading', { name: 'Log', exact: true }).waitFor();
    assert.ok(requests.some((r) => r.url.endsWith(`/deploys/${id}/baton/logs?follow=true`)), 'the page did not follow the log stream');
  } finally {
    driver.close();
  }
});

it('shows the API\'s own message when sign-in fails (a separate tab: the 401 is an expected console error there)', async () => {
  const other = await browser.newPage();
  try {
    await other.goto(`${baton.url}/ui/signin`);
    await other.getByRole('tab', { name: 'API token' }).click();
    await other.getByLabel('API token').fill('not-a-token');
    await other.getByRole('button', { name: 'Sign in' }).click();
    const alert = other.getByRole('alert');
    await alert.waitFor();
    const api = (await (await fetch(`${baton.url}/current-user`, { headers: { authorization: 'Bearer not-a-token' } })).json()) as { message: string };
    assert.ok(api.message.length > 0);
    assert.equal((await alert.innerText()).trim(), api.message);
    assert.equal(new URL(other.url()).pathname, '/ui/signin');
    // A wrong password: the login endpoint's message.
    await other.getByRole('tab', { name: 'Email and password' }).click();
    await other.getByLabel('Email').fill(VIEWER_EMAIL);
    await other.getByLabel('Password').fill('not the password at all');
    await other.getByRole('button', { name: 'Sign in' }).click();
    await other.getByRole('alert').waitFor();
    const login = (await (await fetch(`${baton.url}/baton/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: VIEWER_EMAIL, password: 'not the password at all' }) })).json()) as { message: string };
    assert.equal((await other.getByRole('alert').innerText()).trim(), login.message);
    assert.equal(new URL(other.url()).pathname, '/ui/signin');
  } finally {
    await other.close();
  }
});

it('made no console errors and called nothing but /ui assets and operations of the public API', async () => {
  assert.deepEqual(consoleErrors, []);
  const doc = (await (await fetch(`${baton.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
  const matchers = openApiMatchers(doc);
  const outside: string[] = [];
  for (const { method, url } of requests) {
    const u = new URL(url);
    if (u.protocol === 'data:') continue;
    if (u.origin !== baton.url) {
      outside.push(`${method} ${url}`);
      continue;
    }
    if (method === 'GET' && (u.pathname === '/' || u.pathname === '/ui' || u.pathname.startsWith('/ui/'))) continue;
    if (!matchers.some((m) => m.method === method && m.pattern.test(u.pathname))) outside.push(`${method} ${u.pathname}`);
  }
  assert.ok(requests.length > 10, `only ${requests.length} requests recorded`);
  assert.deepEqual(outside, []);
});
