// Drives JupyterLab in Debian's Chromium (playwright-core) through the pairrepl panel:
// ask (Shift+Enter), insert (the card and the diff show exactly the code), run, accept,
// promote after the diff with an open form that survives a cell run; a no-op promotion
// refused, then done as a test; a replacement confirmed; a reject answered while a cell
// sleeps (a subshell); a kernel restart the panel follows by itself; the light and dark
// themes, with screenshots; a change of kernel; blame.
// Usage: node panel.e2e.cjs URL TOKEN NOTEBOOK ARTIFACTS_DIR SHOTS_DIR. Exits 1 on any
// failure or browser console error (or a warning about an unsatisfied shared singleton
// version, which webpack only warns about), with a screenshot in ARTIFACTS_DIR; the
// themes' screenshots go to SHOTS_DIR.
const { chromium } = require('playwright-core');
const path = require('path');
const fs = require('fs');

const [url, token, notebook, artifacts, shots] = process.argv.slice(2);
const FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'
];
const WHY = 'adds the prices up and divides by their count';
const SAFER = 'the same mean, and 0 for an empty list';

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
  const fail = message => { throw new Error(message); };
  const run = (command, args) =>
    page.evaluate(([c, a]) => window.jupyterapp.commands.execute(c, a), [command, args || {}]);
  // A command whose promise ends later (a cell that sleeps, a dialog until it is closed).
  const start = command =>
    page.evaluate(c => void window.jupyterapp.commands.execute(c), command);
  // Run `body` in the page with `panel`, the notebook's panel (whichever widget is current).
  const inNotebook = (body, arg) =>
    page.evaluate(
      ([source, a]) => {
        const panel = [...window.jupyterapp.shell.widgets('main')].find(w => w.sessionContext && w.content);
        return new Function('panel', 'arg', source)(panel, a);
      },
      [body, arg]
    );
  // A new last cell holding `code`, made the active one.
  const addCell = code =>
    inNotebook(
      `const model = panel.content.model;
       model.sharedModel.insertCell(model.cells.length, { cell_type: 'code', source: arg });
       panel.content.activeCellIndex = model.cells.length - 1;`,
      code
    );
  const cells = page.locator('.jp-Notebook .jp-Cell');
  const card = id => page.locator(`.pairrepl-proposal[data-proposal="${id}"]`);
  const newestCard = page.locator('.pairrepl-proposal').first();
  const badge = newestCard.locator('.pairrepl-badge');
  const status = () => page.locator('.pairrepl-status').textContent();

  // Ask with Shift+Enter (or the button); returns the new proposal's id.
  const ask = async (request, how) => {
    await page.fill('.pairrepl-request', request);
    if (how === 'button') await page.click('.pairrepl-ask-button');
    else await page.press('.pairrepl-request', 'Shift+Enter');
    await page.locator('.pairrepl-ask .pairrepl-message.pairrepl-mod-success').waitFor({ timeout: 30000 });
    if (await page.locator('.pairrepl-ask-button').isDisabled()) fail('Ask stayed disabled');
    await badge.filter({ hasText: 'proposed' }).waitFor({ timeout: 30000 });
    return newestCard.getAttribute('data-proposal');
  };
  // The code a card shows, once highlighted: exactly its proposal's code, or fail.
  const shownCode = async (where, expected) => {
    await where.locator('span[class]').first().waitFor({ timeout: 30000 });
    const shown = await where.evaluate(node => node.textContent);
    if (shown !== expected) fail(`shown ${JSON.stringify(shown)}, the code is ${JSON.stringify(expected)}`);
  };
  // Insert the newest proposal below the last cell and run it: ran ok. The card showed
  // the very code that went into the cell.
  const insertAndRun = async () => {
    await cells.last().click();
    await newestCard.locator('.pairrepl-insert-below').click();
    const inserted = await inNotebook('return panel.content.activeCell.model.sharedModel.getSource()');
    await shownCode(newestCard.locator('.pairrepl-code'), inserted);
    await run('notebook:run-cell');
    await badge.filter({ hasText: 'ran ok' }).waitFor({ timeout: 30000 });
  };
  // Ask (the button), insert and run, accept, then Promote into `target` and Show diff:
  // the new proposal's card.
  const draftPromotion = async (request, target) => {
    const it = card(await ask(request, 'button'));
    await insertAndRun();
    await it.locator('.pairrepl-accept').click();
    await it.locator('.pairrepl-badge', { hasText: 'accepted' }).waitFor({ timeout: 30000 });
    await it.locator('.pairrepl-promote').click();
    await it.locator('.pairrepl-target').fill(target);
    await it.locator('.pairrepl-show-diff').click();
    return it;
  };
  const colours = () =>
    page.evaluate(() => {
      const probe = document.createElement('div');
      probe.style.background = 'var(--jp-layout-color1)';
      probe.style.color = 'var(--jp-ui-font-color1)';
      document.body.append(probe);
      const want = getComputedStyle(probe);
      const panel = getComputedStyle(document.querySelector('#pairrepl-panel'));
      const model = document.querySelector('.pairrepl-model');
      const found = {
        panel: [panel.backgroundColor, panel.color],
        theme: [want.backgroundColor, want.color],
        highlighted: document.querySelectorAll('.pairrepl-code span[class]').length,
        modelClipped: model.scrollWidth > model.clientWidth
      };
      probe.remove();
      return found;
    });

  try {
    await step('open the notebook', async () => {
      await page.goto(`${url}/lab/tree/${notebook}?token=${token}`);
      await page.waitForFunction(() => window.jupyterapp && window.jupyterapp.started, null, { timeout: 60000 });
      await cells.first().waitFor({ timeout: 60000 });
      console.log(`JupyterLab ${await page.evaluate(() => window.jupyterapp.version)} in the page`);
    });
    await step('the panel connects to the session; Reconnect is not offered', async () => {
      await run('pairrepl:open-panel');
      await page.locator('.pairrepl-status', { hasText: 'Session' }).waitFor({ timeout: 60000 });
      if (await page.locator('.pairrepl-reconnect').isVisible()) fail('Reconnect shown while connected');
    });
    await step('run the first cell', async () => {
      await cells.first().click();
      await run('notebook:run-cell');
      await page.locator('.jp-InputPrompt', { hasText: '[1]' }).first().waitFor({ timeout: 30000 });
    });
    let mean;
    await step('ask with Shift+Enter: the reply streams and the proposal is listed', async () => {
      mean = await ask('a function for the mean of $prices');
      const reply = await page.locator('.pairrepl-reply').textContent();
      if (!reply.includes('A small function.')) fail(`reply: ${reply}`);
      if (!(await newestCard.locator('.pairrepl-accept').isDisabled())) {
        fail('Accept is enabled before the proposal ran');
      }
    });
    await step('insert below, then run the inserted cell: ran ok; accept', async () => {
      await insertAndRun();
      await newestCard.locator('.pairrepl-accept').click();
      await badge.filter({ hasText: 'accepted' }).waitFor({ timeout: 30000 });
    });
    await step('the Promote form, with its diff and typed text, survives a cell run', async () => {
      await card(mean).locator('.pairrepl-promote').click();
      await card(mean).locator('.pairrepl-promote').click(); // twice: still one form
      await page.fill('.pairrepl-target', 'stats_tools.py');
      await page.click('.pairrepl-show-diff');
      await card(mean).locator('.pairrepl-write').waitFor({ timeout: 30000 }); // the whole diff is shown
      const added = await page.locator('.pairrepl-diff-added .pairrepl-diff-code').allTextContents();
      const code = await card(mean).locator('.pairrepl-code').textContent();
      if (added.join('\n') !== code) fail(`the diff adds ${JSON.stringify(added)}, the code is ${JSON.stringify(code)}`);
      await page.fill('.pairrepl-explanation', WHY);
      await cells.nth(1).click(); // the proposal's cell, again: the kernel pushes a new state
      await run('notebook:run-cell');
      await card(mean).locator('.pairrepl-runs', { hasText: 'ran 2×' }).waitFor({ timeout: 30000 });
      if ((await page.locator('.pairrepl-promote-form').count()) !== 1) fail('not exactly one Promote form');
      if ((await page.inputValue('.pairrepl-target')) !== 'stats_tools.py') fail('the target was lost');
      if ((await page.inputValue('.pairrepl-explanation')) !== WHY) fail('the explanation was lost');
    });
    await step('write: promoted, said under the card', async () => {
      await page.click('.pairrepl-write');
      await card(mean).locator('.pairrepl-badge', { hasText: 'promoted' }).waitFor({ timeout: 30000 });
      await card(mean).locator('.pairrepl-message.pairrepl-mod-success', { hasText: 'stats_tools.py' })
        .waitFor({ timeout: 30000 });
    });
    await step('asserts only: refused, never a success; then promoted as a test', async () => {
      const check = await draftPromotion('check the mean', 'stats_tools.py');
      await check.locator('.pairrepl-message.pairrepl-mod-error', { hasText: 'promote it as a test' })
        .waitFor({ timeout: 30000 });
      if (await check.locator('.pairrepl-write').count()) fail('Write offered for a no-op');
      await check.locator('.pairrepl-promote-as-test').click();
      await check.locator('.pairrepl-write', { hasText: 'tests/test_stats_tools.py' }).waitFor({ timeout: 30000 });
      await check.locator('.pairrepl-explanation').fill('checks the mean of the prices');
      await check.locator('.pairrepl-write').click();
      await check.locator('.pairrepl-badge', { hasText: 'promoted' }).waitFor({ timeout: 30000 });
    });
    await step('a replacement of mean needs a ticked yes before Write', async () => {
      const safer = await draftPromotion('a mean that takes an empty list', 'stats_tools.py');
      await safer.locator('.pairrepl-confirm', { hasText: 'mean' }).waitFor({ timeout: 30000 });
      if (!(await safer.locator('.pairrepl-write').isDisabled())) fail('Write enabled before the yes');
      await safer.screenshot({ path: path.join(shots, 'replace-confirm.png') });
      await safer.locator('.pairrepl-confirm-box').check();
      await safer.locator('.pairrepl-explanation').fill(SAFER);
      await safer.locator('.pairrepl-write').click();
      await safer.locator('.pairrepl-badge', { hasText: 'promoted' }).waitFor({ timeout: 30000 });
    });
    await step('a reject is answered while a cell sleeps (a kernel subshell)', async () => {
      const scale = await ask('a scale constant');
      const subshells = await inNotebook('return panel.sessionContext.session.kernel.supportsSubshells === true');
      if (!subshells) {
        console.log('(no kernel subshells in this JupyterLab: a request waits for the cell)');
        return;
      }
      await addCell('import time; time.sleep(10)');
      await start('notebook:run-cell');
      await page.locator('.jp-InputPrompt', { hasText: '[*]' }).waitFor({ timeout: 10000 });
      await card(scale).locator('.pairrepl-reject').click();
      await card(scale).locator('.pairrepl-reject-reason').fill('not needed');
      await card(scale).locator('.pairrepl-reject-confirm').click();
      await card(scale).locator('.pairrepl-badge', { hasText: 'rejected' }).waitFor({ timeout: 5000 });
      if (!(await page.locator('.jp-InputPrompt', { hasText: '[*]' }).count())) {
        fail('the reject waited for the cell');
      }
      await page.locator('.jp-InputPrompt', { hasText: '[*]' }).waitFor({ state: 'detached', timeout: 30000 });
    });
    await step('a restart: the panel follows the new session, and Ask works', async () => {
      const before = await status();
      await inNotebook('return panel.sessionContext.session.kernel.restart()');
      await page.waitForFunction(
        old => {
          const now = document.querySelector('.pairrepl-status').textContent;
          return now.startsWith('Session') && now !== old;
        },
        before,
        { timeout: 60000 }
      );
      await page.locator('.pairrepl-empty').waitFor({ timeout: 10000 });
      if (await page.locator('.pairrepl-reconnect').isVisible()) fail('Reconnect shown after a restart');
      await ask('a function for the mean again');
    });
    await step('light and dark themes: the panel takes the theme\'s colours', async () => {
      fs.mkdirSync(shots, { recursive: true });
      const seen = {};
      for (const [name, theme] of [['light', 'JupyterLab Light'], ['dark', 'JupyterLab Dark']]) {
        await run('apputils:change-theme', { theme });
        await page.waitForFunction(
          light => document.body.dataset.jpThemeLight === light,
          String(name === 'light'),
          { timeout: 30000 }
        );
        await page.waitForTimeout(500);
        await page.locator('#pairrepl-panel').screenshot({ path: path.join(shots, `panel-${name}.png`) });
        const found = await colours();
        console.log(`${name}: ${JSON.stringify(found)}`);
        if (found.panel.join() !== found.theme.join()) fail(`${name}: panel ${found.panel} not the theme's ${found.theme}`);
        if (!found.highlighted) fail(`${name}: the code is not highlighted`);
        if (found.modelClipped) fail(`${name}: the model label is clipped`);
        seen[name] = found.panel.join();
      }
      if (seen.light === seen.dark) fail('the panel looks the same in both themes');
    });
    await step('another kernel, without pairrepl: said, then %load_ext connects by itself', async () => {
      await inNotebook("return panel.sessionContext.changeKernel({ name: 'python3' })");
      await page.locator('.pairrepl-status', { hasText: 'has no pairrepl' }).waitFor({ timeout: 60000 });
      if (!(await page.locator('.pairrepl-reconnect').isVisible())) fail('no Reconnect offered');
      await addCell('%load_ext pairrepl');
      await run('notebook:run-cell');
      await page.locator('.pairrepl-status', { hasText: 'Session' }).waitFor({ timeout: 60000 });
      if (await page.locator('.pairrepl-reconnect').isVisible()) fail('Reconnect shown while connected');
    });
    await step('blame: each promoted block says its explanation once', async () => {
      await run('docmanager:open', { path: 'stats_tools.py' });
      await page.locator('.jp-FileEditor').waitFor({ timeout: 30000 });
      await start('pairrepl:blame');
      await page.locator('.pairrepl-blame-table').waitFor({ timeout: 30000 });
      const lines = await page.locator('.pairrepl-blame-line').count();
      const said = await page.locator('.pairrepl-blame-why', { hasText: SAFER }).count();
      await page.locator('.jp-Dialog-content').screenshot({ path: path.join(shots, 'blame.png') });
      if (lines !== 2 || said !== 1) fail(`${lines} lines, the explanation said ${said} times`);
      await page.click('.jp-Dialog .jp-mod-accept');
      await run('docmanager:open', { path: notebook });
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
