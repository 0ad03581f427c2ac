/**
 * Code and diffs as the notebook shows code: CodeMirror's Python highlighting through
 * JupyterLab's language registry (plain text where there is none).
 */
import { IEditorLanguageRegistry } from '@jupyterlab/codemirror';

import { el } from './dom';

export class Highlighter {
  constructor(private registry: IEditorLanguageRegistry | null) {}

  /** `code`, highlighted as Python, in place of what `into` held. */
  async code(code: string, into: HTMLElement): Promise<void> {
    into.textContent = '';
    const python = this.registry?.findByName('python') ?? null;
    if (!this.registry || !python) {
      into.textContent = code;
      return;
    }
    try {
      await this.registry.highlight(code, python, into);
    } catch {
      into.textContent = code;
    }
    // The code shown must be the code: older JupyterLab 4 releases drop unstyled text
    // after the last token (the ":" closing a def).
    const shown = into.textContent ?? '';
    if (shown !== code) {
      if (code.startsWith(shown)) {
        into.append(code.slice(shown.length));
      } else {
        into.textContent = code;
      }
    }
  }

  /** A unified diff, a row per line: added and removed lines coloured, each line's code
   * highlighted. */
  async diff(diff: string, into: HTMLElement): Promise<void> {
    into.textContent = '';
    const lines = diff.replace(/\n$/, '').split('\n');
    for (const line of lines) {
      const kind = diffLineKind(line);
      const row = el('div', { class: `pairrepl-diff-line pairrepl-diff-${kind}` });
      if (kind === 'file' || kind === 'hunk') {
        row.textContent = line;
      } else {
        const code = el('span', { class: 'pairrepl-diff-code' });
        row.append(el('span', { class: 'pairrepl-diff-sign' }, line.slice(0, 1) || ' '), code);
        await this.code(line.slice(1), code);
      }
      into.append(row);
    }
  }
}

function diffLineKind(line: string): string {
  if (line.startsWith('+++') || line.startsWith('---')) {
    return 'file';
  }
  if (line.startsWith('@@')) {
    return 'hunk';
  }
  if (line.startsWith('+')) {
    return 'added';
  }
  return line.startsWith('-') ? 'removed' : 'context';
}
