/**
 * `npm run screenshots`: starts Baton with the browser test's seeded data (test/helpers/ui-seed.ts), drives Debian's
 * chromium through each screen of the web UI and writes docs/screenshots/*.png (linked from README.md).
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startBatonProcess } from '../test/helpers/baton-process.js';
import { ensureUiBuilt, launchChromium } from '../test/helpers/browser.js';
import { seedUiData } from '../test/helpers/ui-seed.js';

const OUT = fileURLToPath(new URL('../docs/screenshots/', import.meta.url));
mkdirSync(OUT, { recursive: true });
ensureUiBuilt();
const baton = await startBatonProcess();
const browser = await launchChromium();
try {
  const seed = await seedUiData(baton);
  const page = await browser.newPage({ viewport: { width: 1366, height: 800 } });
  const shot = async (name: string) => {
    await page.waitForLoadState('networkidle');
    await page.screenshot({ path: `${OUT}${name}.png` });
    console.log(`docs/screenshots/${name}.png`);
  };
  const env = `${baton.url}/ui/orgs/local/apps/shop/envs/development`;
  await page.goto(`${baton.url}/ui/signin`);
  await page.getByLabel('API token').waitFor();
  await shot('sign-in');
  await page.getByLabel('API token').fill(baton.token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('cell-billing-development').getByText('failed').waitFor();
  await shot('apps-grid');
  await page.goto(env);
  await page.getByTestId('timeline-entry').first().waitFor();
  await page.getByText('registry.local/shop/api:2').waitFor();
  await shot('environment');
  await page.goto(`${baton.url}/ui/orgs/local/apps/billing/envs/development/deploys/${seed.billingFailed}`);
  await page.getByTestId('deployment-error').first().waitFor();
  await shot('deployment-failed');
  await page.goto(`${env}/graph`);
  await page.getByTestId('node-modules.api.externals.bucket').click();
  await page.getByTestId('node-details').waitFor();
  await shot('resource-graph');
  await page.getByRole('link', { name: /Why this definition/ }).click();
  await page.getByTestId('match-explanation').waitFor();
  await shot('definitions');
  await page.goto(`${env}/deploys/${seed.shopFirst}`);
  await page.getByRole('button', { name: 'Redeploy this deployment…' }).click();
  await page.getByRole('dialog').getByText(/resource action/).waitFor();
  await shot('rollback-confirm');
} finally {
  await browser.close();
  await baton.stop();
}
