// Drives JupyterLab in Debian's Chromium (playwright-core): the pairrepl panel asks, the
// proposal is inserted and run, accepted, promoted after the diff with an explanation.
// Usage: node panel.e2e.cjs URL TOKEN NOTEBOOK ARTIFACTS_DIR. Exits 1 on any failure or
// browser console error (or a warning about an unsatisfied shared singleton version, which
// webpack only warns about), with a screenshot in ARTIFACTS_DIR.
const { chromium } = require('playwright-core');
const path = require('path');
const fs = require('fs');

const [url, token, notebook, artifacts] = process.argv.slice(2);
const FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'
];

async function main() {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: FLAGS });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const errors = [];
  page.on('console', msg => {
    if (msg.type() === 'error' || /Unsatisfied version/i.test(msg.text())) errors.push(msg.text());
  });
  page.on('pageerror', error => errors.push(String(error)));
  const step = async (name, work) => {
    try {
      await work();
      console.log(`ok: ${name}`);
    } catch (error) {
      fs.mkdirSync(artifacts, { recursive: true });
      await page.screenshot({ path: path.join(artifacts, 'lab-panel-failure.png') });
      throw new Error(`${name}: ${error.message}`);
    }
  };
  const run = command => page.evaluate(c => window.jupyterapp.commands.execute(c), command);
  const badge = page.locator('.pairrepl-proposal .pairrepl-badge').first();
  try {
    await step('open the notebook', async () => {
      await page.goto(`${url}/lab/tree/${notebook}?token=${token}`);
      await page.waitForFunction(() => window.jupyterapp && window.jupyterapp.started, null, { timeout: 60000 });
      await page.locator('.jp-Notebook .jp-Cell').first().waitFor({ timeout: 60000 });
      console.log(`JupyterLab ${await page.evaluate(() => window.jupyterapp.version)} in the page`);
    });
    await step('the panel connects to the session', async () => {
      await run('pairrepl:open-panel');
      await page.locator('.pairrepl-status', { hasText: 'Session' }).waitFor({ timeout: 60000 });
    });
    await step('run the first cell', async () => {
      await page.locator('.jp-Notebook .jp-Cell').first().click();
      await run('notebook:run-cell-and-select-next');
      await page.locator('.jp-InputPrompt', { hasText: '[1]' }).first().waitFor({ timeout: 30000 });
    });
    await step('ask: the reply streams and the proposal is listed', async () => {
      await page.fill('.pairrepl-request', 'a function for the mean of $prices');
      await page.click('.pairrepl-ask-button');
      await page.locator('.pairrepl-badge', { hasText: 'proposed' }).waitFor({ timeout: 30000 });
      const reply = await page.locator('.pairrepl-reply').textContent();
      if (!reply.includes('A small function.')) throw new Error(`reply: ${reply}`);
      if (!(await page.locator('.pairrepl-accept').first().isDisabled())) {
        throw new Error('Accept is enabled before the proposal ran');
      }
    });
    await step('insert below, then run the inserted cell: ran_ok', async () => {
      await page.click('.pairrepl-insert-below');
      await run('notebook:run-cell');
      await badge.filter({ hasText: 'ran_ok' }).waitFor({ timeout: 30000 });
    });
    await step('accept', async () => {
      await page.click('.pairrepl-accept');
      await badge.filter({ hasText: 'accepted' }).waitFor({ timeout: 30000 });
    });
    await step('promote: the diff first, then the explanation, then write', async () => {
      await page.click('.pairrepl-promote');
      await page.fill('.pairrepl-target', 'stats_tools.py');
      await page.click('.pairrepl-show-diff');
      await page.locator('.pairrepl-diff', { hasText: '+def mean(values):' }).waitFor({ timeout: 30000 });
      await page.fill('.pairrepl-explanation', 'adds the prices up and divides by their count');
      await page.click('.pairrepl-write');
      await badge.filter({ hasText: 'promoted' }).waitFor({ timeout: 30000 });
    });
    if (errors.length) {
      fs.mkdirSync(artifacts, { recursive: true });
      await page.screenshot({ path: path.join(artifacts, 'lab-panel-console-errors.png') });
      throw new Error(`browser console errors:\n${errors.join('\n')}`);
    }
  } finally {
    await browser.close();
  }
}

main().then(
  () => process.exit(0),
  error => { console.error(String(error.message || error)); process.exit(1); }
);
