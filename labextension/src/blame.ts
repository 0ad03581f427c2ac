/**
 * Blame: for the open .py file, who wrote each line (per the project's provenance). Each
 * promoted block is introduced once, by its symbol, origin, model and the explanation
 * given when it was promoted; its lines follow.
 */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { Dialog, showDialog } from '@jupyterlab/apputils';
import { PathExt } from '@jupyterlab/coreutils';
import { INotebookTracker } from '@jupyterlab/notebook';
import { Widget } from '@lumino/widgets';

import { el } from './dom';
import { Highlighter } from './highlight';
import { ProposalsPanel } from './panel';

interface IBlameLine {
  number: number;
  text: string;
  origin: string;
  model: string | null;
  request: string | null;
  explanation: string | null;
  symbol: string | null;
}

export async function showBlame(
  app: JupyterFrontEnd,
  panel: ProposalsPanel,
  tracker: INotebookTracker,
  highlighter: Highlighter
): Promise<void> {
  const widget = app.shell.currentWidget as any;
  const path: string | undefined = widget?.context?.path;
  if (!path || !path.endsWith('.py')) {
    await say('Open a .py file first.');
    return;
  }
  const notebook = tracker.currentWidget;
  if (!panel.connection || !notebook) {
    await say('Open a notebook on the pairrepl kernel first: blame asks its session.');
    return;
  }
  // The kernel runs in the notebook's folder: the path from there.
  const relative = PathExt.relative(PathExt.dirname(notebook.context.path), path);
  const reply = await panel.connection.request('blame', { path: relative });
  const body = el('div', { class: 'pairrepl-blame' });
  if (!reply.ok) {
    body.textContent = reply.error ?? 'Blame failed.';
  } else {
    await renderBlame(reply.lines as IBlameLine[], body, highlighter);
  }
  await showDialog({
    title: `pairrepl blame: ${path}`,
    body: new Widget({ node: body }),
    buttons: [Dialog.okButton()]
  });
}

async function renderBlame(lines: IBlameLine[], into: HTMLElement, highlighter: Highlighter): Promise<void> {
  const table = el('table', { class: 'pairrepl-blame-table' });
  let block = '';
  for (const line of lines) {
    const key = line.symbol ? [line.symbol, line.model, line.request, line.explanation].join('\0') : '';
    if (key && key !== block) {
      table.append(blockRow(line));
    }
    block = key;
    const row = el('tr', { class: `pairrepl-blame-line pairrepl-origin-${line.origin}` });
    const code = el('td', { class: 'pairrepl-blame-code' });
    row.append(
      el('td', { class: 'pairrepl-blame-number' }, String(line.number)),
      el('td', { class: 'pairrepl-blame-origin' }, line.origin),
      code
    );
    await highlighter.code(line.text, code);
    table.append(row);
  }
  into.append(table);
}

/** The head of a promoted block: said once, above its lines. */
function blockRow(line: IBlameLine): HTMLTableRowElement {
  const row = el('tr', { class: 'pairrepl-blame-block' });
  const cell = el('td', { colspan: '3' });
  const who = [line.symbol, line.origin, line.model].filter(Boolean).join(' · ');
  cell.append(el('span', { class: 'pairrepl-blame-who' }, who));
  const why = line.explanation || (line.request ? `asked: ${line.request}` : '');
  if (why) {
    cell.append(el('span', { class: 'pairrepl-blame-why' }, why));
  }
  row.append(cell);
  return row;
}

async function say(text: string): Promise<void> {
  await showDialog({ title: 'pairrepl blame', body: text, buttons: [Dialog.okButton()] });
}
