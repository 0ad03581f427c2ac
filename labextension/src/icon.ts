import { LabIcon } from '@jupyterlab/ui-components';

/** The panel's tab: a prompt with a spark (the AI proposes, the human runs). */
const svgstr = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <path d="M3.4 6.6 9 12l-5.6 5.4L2 16l4.2-4L2 8z"/>
    <path d="M10 16h7v2h-7z"/>
    <path d="m18 2 1.3 3.2L22.5 6.5l-3.2 1.3L18 11l-1.3-3.2-3.2-1.3 3.2-1.3z"/>
  </g>
</svg>`;

export const pairreplIcon = new LabIcon({ name: 'pairrepl:panel', svgstr });
