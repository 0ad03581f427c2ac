"use strict";(self.rspackChunkpairrepl_labextension=self.rspackChunkpairrepl_labextension||[]).push([[700],{646(r,e,o){var a=o(601),p=o.n(a),i=o(933),t=(o.n(i))()(p());t.push([r.id,`/* pairrepl's panel, in JupyterLab's own variables: it follows the light and dark themes. */

.pairrepl-Panel {
  padding: 8px;
  overflow-y: auto;
  font-family: var(--jp-ui-font-family);
  font-size: var(--jp-ui-font-size1);
  background: var(--jp-layout-color1);
  color: var(--jp-ui-font-color1);
  min-width: 240px;
}

.pairrepl-header {
  display: flex;
  align-items: center;
  gap: 8px;
  margin-bottom: 8px;
}

.pairrepl-status {
  flex: 1;
  color: var(--jp-ui-font-color2);
  overflow-wrap: anywhere;
}

.pairrepl-row {
  display: flex;
  flex-wrap: wrap;
  align-items: center;
  gap: 6px;
  margin-top: 6px;
}

/* Lab's styled buttons, a little more compact for a side panel. */
.pairrepl-Panel button.pairrepl-button,
.pairrepl-blame button.pairrepl-button {
  height: 24px;
  line-height: 24px;
  padding: 0 10px;
  border-radius: var(--jp-border-radius);
  cursor: pointer;
}

.pairrepl-Panel button.pairrepl-button:disabled {
  opacity: 0.45;
  cursor: default;
}

.pairrepl-Panel textarea.jp-mod-styled,
.pairrepl-Panel input.jp-mod-styled:not([type='checkbox']) {
  width: 100%;
  box-sizing: border-box;
  font-family: var(--jp-ui-font-family);
  font-size: var(--jp-ui-font-size1);
  color: var(--jp-ui-font-color0);
  background: var(--jp-input-background);
  border: var(--jp-border-width) solid var(--jp-input-border-color, var(--jp-border-color1));
  border-radius: var(--jp-border-radius);
  padding: 4px 7px;
}

.pairrepl-Panel textarea.jp-mod-styled {
  resize: vertical;
  min-height: calc(3 * 1.4em + 10px);
  max-height: calc(12 * 1.4em + 10px);
  line-height: 1.4em;
}

.pairrepl-Panel textarea.jp-mod-styled:focus,
.pairrepl-Panel input.jp-mod-styled:focus {
  border-color: var(--jp-input-active-border-color, var(--jp-brand-color1));
  outline: none;
}

.pairrepl-ask-row {
  justify-content: flex-end;
}

.pairrepl-hint {
  color: var(--jp-ui-font-color3);
  font-size: var(--jp-ui-font-size0);
}

.pairrepl-message {
  margin-top: 6px;
  padding: 4px 6px;
  border-left: 3px solid var(--jp-border-color1);
  white-space: pre-wrap;
  overflow-wrap: anywhere;
  color: var(--jp-ui-font-color1);
}

.pairrepl-message.pairrepl-mod-success {
  border-left-color: var(--jp-success-color1);
}

.pairrepl-message.pairrepl-mod-warning {
  border-left-color: var(--jp-warn-color1);
}

.pairrepl-message.pairrepl-mod-error {
  border-left-color: var(--jp-error-color1);
  color: var(--jp-error-color1);
}

.pairrepl-reply {
  margin: 6px 0 0;
  max-height: 12em;
  overflow-y: auto;
  white-space: pre-wrap;
  color: var(--jp-ui-font-color2);
  font-family: var(--jp-ui-font-family);
}

.pairrepl-list {
  margin-top: 10px;
}

.pairrepl-empty {
  color: var(--jp-ui-font-color2);
}

.pairrepl-mod-stale .pairrepl-list {
  opacity: 0.5;
  pointer-events: none;
}

.pairrepl-proposal {
  border: var(--jp-border-width) solid var(--jp-border-color2);
  border-radius: var(--jp-border-radius);
  background: var(--jp-layout-color1);
  margin: 8px 0;
  padding: 6px 8px;
}

.pairrepl-head {
  display: flex;
  flex-wrap: wrap;
  align-items: baseline;
  gap: 4px 8px;
}

.pairrepl-id {
  font-family: var(--jp-code-font-family);
  color: var(--jp-ui-font-color2);
}

.pairrepl-badge {
  padding: 0 6px;
  border-radius: 8px;
  font-size: var(--jp-ui-font-size0);
  font-weight: 600;
  color: var(--jp-ui-font-color1);
  background: var(--jp-layout-color3);
}

.pairrepl-state-ran_ok .pairrepl-badge,
.pairrepl-state-accepted .pairrepl-badge,
.pairrepl-state-promoted .pairrepl-badge {
  color: var(--jp-ui-inverse-font-color0);
  background: var(--jp-success-color1);
}

.pairrepl-state-ran_error .pairrepl-badge,
.pairrepl-state-rejected .pairrepl-badge {
  color: var(--jp-ui-inverse-font-color0);
  background: var(--jp-error-color1);
}

.pairrepl-runs {
  color: var(--jp-ui-font-color3);
  font-size: var(--jp-ui-font-size0);
}

/* The model label wraps rather than being cut. */
.pairrepl-model {
  flex-basis: 100%;
  color: var(--jp-ui-font-color2);
  font-size: var(--jp-ui-font-size0);
  overflow-wrap: anywhere;
}

.pairrepl-rationale,
.pairrepl-reason {
  margin-top: 4px;
  overflow-wrap: anywhere;
}

.pairrepl-reason {
  color: var(--jp-error-color1);
}

/* Code as in a notebook cell: the code font, Lab's editor background, no wrapping inside
 * a token (a long line scrolls). */
.pairrepl-codeblock {
  margin: 6px 0 0;
  padding: 4px 6px;
  background: var(--jp-cell-editor-background);
  border: var(--jp-border-width) solid var(--jp-cell-editor-border-color);
  border-radius: var(--jp-border-radius);
  color: var(--jp-content-font-color1);
  font-family: var(--jp-code-font-family);
  font-size: var(--jp-code-font-size);
  line-height: var(--jp-code-line-height);
  white-space: pre;
  overflow-x: auto;
}

.pairrepl-diff {
  padding: 0;
}

.pairrepl-diff-line {
  padding: 0 6px;
  white-space: pre;
  min-height: 1em;
}

.pairrepl-diff-sign {
  display: inline-block;
  width: 1.5ch;
  user-select: none;
}

.pairrepl-diff-added {
  background: color-mix(in srgb, var(--jp-success-color1) 20%, transparent);
  box-shadow: inset 3px 0 var(--jp-success-color1);
}

.pairrepl-diff-removed {
  background: color-mix(in srgb, var(--jp-error-color1) 20%, transparent);
  box-shadow: inset 3px 0 var(--jp-error-color1);
}

.pairrepl-diff-hunk {
  color: var(--jp-info-color1);
  background: color-mix(in srgb, var(--jp-info-color1) 10%, transparent);
}

.pairrepl-diff-file {
  color: var(--jp-ui-font-color2);
  font-weight: 600;
}

.pairrepl-form {
  margin-top: 6px;
  padding: 6px;
  border-top: var(--jp-border-width) dashed var(--jp-border-color2);
}

.pairrepl-form > * + * {
  margin-top: 6px;
}

.pairrepl-as-test,
.pairrepl-confirm {
  display: flex;
  align-items: center;
  gap: 4px;
}

.pairrepl-after-diff > * {
  margin-top: 6px;
}

/* Blame: a table of lines; each promoted block introduced once. */
.pairrepl-blame {
  max-height: 70vh;
  overflow: auto;
}

.pairrepl-blame-table {
  border-collapse: collapse;
  font-family: var(--jp-code-font-family);
  font-size: var(--jp-code-font-size);
}

.pairrepl-blame-table td {
  padding: 0 8px 0 0;
  white-space: pre;
  vertical-align: top;
}

.pairrepl-blame-number,
.pairrepl-blame-origin {
  color: var(--jp-ui-font-color2);
  text-align: right;
  user-select: none;
}

.pairrepl-blame-block td {
  padding-top: 8px;
  font-family: var(--jp-ui-font-family);
  white-space: normal;
  border-bottom: var(--jp-border-width) solid var(--jp-border-color2);
}

.pairrepl-blame-who {
  font-weight: 600;
  margin-right: 8px;
}

.pairrepl-blame-why {
  color: var(--jp-ui-font-color2);
  font-style: italic;
}

.pairrepl-origin-ai .pairrepl-blame-origin,
.pairrepl-origin-ai-edited .pairrepl-blame-origin {
  color: var(--jp-brand-color1);
}
`,""]),o.d(e,{},{A:t})},933(r){r.exports=function(r){var e=[];return e.toString=function(){return this.map(function(e){var o="",a=void 0!==e[5];return e[4]&&(o+="@supports (".concat(e[4],") {")),e[2]&&(o+="@media ".concat(e[2]," {")),a&&(o+="@layer".concat(e[5].length>0?" ".concat(e[5]):""," {")),o+=r(e),a&&(o+="}"),e[2]&&(o+="}"),e[4]&&(o+="}"),o}).join("")},e.i=function(r,o,a,p,i){"string"==typeof r&&(r=[[null,r,void 0]]);var t={};if(a)for(var n=0;n<this.length;n++){var l=this[n][0];null!=l&&(t[l]=!0)}for(var c=0;c<r.length;c++){var s=[].concat(r[c]);a&&t[s[0]]||(void 0!==i&&(void 0===s[5]||(s[1]="@layer".concat(s[5].length>0?" ".concat(s[5]):""," {").concat(s[1],"}")),s[5]=i),o&&(s[2]&&(s[1]="@media ".concat(s[2]," {").concat(s[1],"}")),s[2]=o),p&&(s[4]?(s[1]="@supports (".concat(s[4],") {").concat(s[1],"}"),s[4]=p):s[4]="".concat(p)),e.push(s))}},e}},601(r){r.exports=function(r){return r[1]}},72(r){var e=[];function o(r){for(var o=-1,a=0;a<e.length;a++)if(e[a].identifier===r){o=a;break}return o}function a(r,a){for(var p={},i=[],t=0;t<r.length;t++){var n=r[t],l=a.base?n[0]+a.base:n[0],c=p[l]||0,s="".concat(l," ").concat(c);p[l]=c+1;var d=o(s),f={css:n[1],media:n[2],sourceMap:n[3],supports:n[4],layer:n[5]};if(-1!==d)e[d].references++,e[d].updater(f);else{var u=function(r,e){var o=e.domAPI(e);return o.update(r),function(e){e?(e.css!==r.css||e.media!==r.media||e.sourceMap!==r.sourceMap||e.supports!==r.supports||e.layer!==r.layer)&&o.update(r=e):o.remove()}}(f,a);a.byIndex=t,e.splice(t,0,{identifier:s,updater:u,references:1})}i.push(s)}return i}r.exports=function(r,p){var i=a(r=r||[],p=p||{});return function(r){r=r||[];for(var t=0;t<i.length;t++){var n=o(i[t]);e[n].references--}for(var l=a(r,p),c=0;c<i.length;c++){var s=o(i[c]);0===e[s].references&&(e[s].updater(),e.splice(s,1))}i=l}}},659(r){var e={};r.exports=function(r,o){var a=function(r){if(void 0===e[r]){var o=document.querySelector(r);if(window.HTMLIFrameElement&&o instanceof window.HTMLIFrameElement)try{o=o.contentDocument.head}catch(r){o=null}e[r]=o}return e[r]}(r);if(!a)throw Error("Couldn't find a style target. This probably means that the value for the 'insert' parameter is invalid.");a.appendChild(o)}},540(r){r.exports=function(r){var e=document.createElement("style");return r.setAttributes(e,r.attributes),r.insert(e,r.options),e}},56(r,e,o){r.exports=function(r){var e=o.nc;e&&r.setAttribute("nonce",e)}},825(r){r.exports=function(r){if("u"<typeof document)return{update:function(){},remove:function(){}};var e=r.insertStyleElement(r);return{update:function(o){var a,p,i;a="",o.supports&&(a+="@supports (".concat(o.supports,") {")),o.media&&(a+="@media ".concat(o.media," {")),(p=void 0!==o.layer)&&(a+="@layer".concat(o.layer.length>0?" ".concat(o.layer):""," {")),a+=o.css,p&&(a+="}"),o.media&&(a+="}"),o.supports&&(a+="}"),(i=o.sourceMap)&&"u">typeof btoa&&(a+="\n/*# sourceMappingURL=data:application/json;base64,".concat(btoa(unescape(encodeURIComponent(JSON.stringify(i))))," */")),r.styleTagTransform(a,e,r.options)},remove:function(){var r;null===(r=e).parentNode||r.parentNode.removeChild(r)}}}},113(r){r.exports=function(r,e){if(e.styleSheet)e.styleSheet.cssText=r;else{for(;e.firstChild;)e.removeChild(e.firstChild);e.appendChild(document.createTextNode(r))}}},959(r,e,o){var a=o(72),p=o.n(a),i=o(825),t=o.n(i),n=o(659),l=o.n(n),c=o(56),s=o.n(c),d=o(540),f=o.n(d),u=o(113),v=o.n(u),m=o(646),b={};b.styleTagTransform=v(),b.setAttributes=s(),b.insert=l().bind(null,"head"),b.domAPI=t(),b.insertStyleElement=f(),p()(m.A,b),m.A&&m.A.locals&&m.A.locals}}]);