/**
 * pairrepl's JupyterLab panel: the AI's proposals of this notebook's session, with their
 * states, and what the human may do with them. It changes nothing itself: each button is
 * a request over the "pairrepl" comm to the kernel, whose in-kernel session keeps the
 * rules (pairrepl/session/panel.py). Insert below puts the code in a new cell; it never
 * runs it.
 *
 * connection.ts: the comm (and which shell each request goes to); panel.ts: the panel and
 * the kernel's lifecycle; card.ts, promoteForm.ts, ask.ts: its parts; blame.ts: the blame
 * view; highlight.ts: code and diffs as the notebook highlights them.
 */
import { ILabShell, JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { IEditorLanguageRegistry } from '@jupyterlab/codemirror';
import { INotebookTracker } from '@jupyterlab/notebook';

import { showBlame } from './blame';
import { Highlighter } from './highlight';
import { pairreplIcon } from './icon';
import { ProposalsPanel } from './panel';

const plugin: JupyterFrontEndPlugin<void> = {
  id: 'pairrepl-labextension:plugin',
  description: "pairrepl's panel: the AI's proposals, their states, and the human's actions.",
  autoStart: true,
  requires: [INotebookTracker],
  optional: [IEditorLanguageRegistry, ILabShell, ICommandPalette],
  activate: (
    app: JupyterFrontEnd,
    tracker: INotebookTracker,
    languages: IEditorLanguageRegistry | null,
    labShell: ILabShell | null,
    palette: ICommandPalette | null
  ) => {
    const highlighter = new Highlighter(languages);
    const panel = new ProposalsPanel(tracker, highlighter);
    app.shell.add(panel, 'right', { rank: 900 });
    app.commands.addCommand('pairrepl:blame', {
      label: 'pairrepl: Blame this file (who wrote each line)',
      icon: pairreplIcon,
      execute: () => showBlame(app, panel, tracker, highlighter)
    });
    app.commands.addCommand('pairrepl:open-panel', {
      label: 'pairrepl: Show the proposals panel',
      icon: pairreplIcon,
      execute: () => app.shell.activateById(panel.id)
    });
    palette?.addItem({ command: 'pairrepl:blame', category: 'pairrepl' });
    palette?.addItem({ command: 'pairrepl:open-panel', category: 'pairrepl' });
  }
};

export default plugin;
