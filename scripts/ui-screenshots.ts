/**
 * `npm run screenshots`: starts Baton with the browser test's seeded data (test/helpers/ui-seed.ts), drives Debian's
 * chromium through each screen of the web UI and writes docs/screenshots/*.png (linked from README.md and docs/ui.md).
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startBatonProcess } from '../test/helpers/baton-process.js';
import { ensureUiBuilt, launchChromium } from '../test/helpers/browser.js';
import { USER_PASSWORD, VIEWER_EMAIL, seedUiData } from '../test/helpers/ui-seed.js';

const OUT = fileURLToPath(new URL('../docs/screenshots/', import.meta.url));
mkdirSync(OUT, { recursive: true });
ensureUiBuilt();
const baton = await startBatonProcess();
const browser = await launchChromium();
try {
  const seed = await seedUiData(baton);
  const page = await browser.newPage({ viewport: { width: 1366, height: 800 } });
  const shot = async (name: string, fullPage = false) => {
    await page.waitForLoadState('networkidle');
    await page.screenshot({ path: `${OUT}${name}.png`, fullPage });
    console.log(`docs/screenshots/${name}.png`);
  };
  const env = `${baton.url}/ui/orgs/local/apps/shop/envs/development`;
  await page.goto(`${baton.url}/ui/signin`);
  await page.getByLabel('Email').waitFor();
  await shot('sign-in');
  await page.getByRole('tab', { name: 'API token' }).click();
  await page.getByLabel('API token').fill(baton.token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('cell-billing-development').getByText('failed').waitFor();
  await shot('apps-grid');
  await page.goto(env);
  await page.getByTestId('timeline-entry').first().waitFor();
  await page.getByText('registry.local/shop/api:2').waitFor();
  await page.getByTestId('automation-rules').waitFor();
  await shot('environment', true);
  await page.goto(`${baton.url}/ui/orgs/local/apps/billing/envs/development/deploys/${seed.billingFailed}`);
  await page.getByTestId('deployment-error').first().waitFor();
  await page.getByTestId('resource-statuses').waitFor();
  await shot('deployment-failed');
  await page.goto(`${env}/deploys/${seed.shopSecond}`);
  await page.getByTestId('manifest-diff').waitFor();
  await page.getByTestId('resource-statuses').waitFor();
  await page.getByTestId('manifest-diff').scrollIntoViewIfNeeded();
  await shot('deployment-diff', true);
  await page.goto(`${env}/graph`);
  await page.getByTestId('node-modules.api.externals.bucket').click();
  await page.getByTestId('node-details').waitFor();
  await shot('resource-graph');
  await page.getByRole('link', { name: /Why this definition/ }).click();
  await page.getByTestId('match-explanation').waitFor();
  await shot('definitions');
  await page.goto(`${env}/deploys/${seed.shopFirst}`);
  await page.getByRole('button', { name: 'Redeploy this deployment…' }).click();
  await page.getByRole('dialog').getByTestId('plan-preview').waitFor();
  await shot('rollback-confirm');

  // A viewer signed in with a password: the same environment without the actions they may not take.
  const viewer = await browser.newPage({ viewport: { width: 1366, height: 800 } });
  await viewer.goto(`${baton.url}/ui/signin`);
  await viewer.getByLabel('Email').fill(VIEWER_EMAIL);
  await viewer.getByLabel('Password').fill(USER_PASSWORD);
  await viewer.getByRole('button', { name: 'Sign in' }).click();
  await viewer.getByRole('heading', { name: 'Applications' }).waitFor();
  await viewer.goto(env);
  await viewer.getByTestId('read-only').waitFor();
  await viewer.getByTestId('timeline-entry').first().waitFor();
  await viewer.waitForLoadState('networkidle');
  await viewer.screenshot({ path: `${OUT}environment-viewer.png` });
  console.log('docs/screenshots/environment-viewer.png');
} finally {
  await browser.close();
  await baton.stop();
}
