// Writes build/pairrepl-labextension/source.sha256: one SHA-256 over what the build is
// made from (package.json, tsconfig.json, src/, style/; each file's path and bytes).
// `npm run build` writes it after the build; .ci/run builds again and fails when the
// committed file differs, i.e. when sources changed and the committed build was not
// rebuilt (the chunks themselves cannot be compared: their ids depend on the folder).
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const here = __dirname;
const out = path.join(here, 'build', 'pairrepl-labextension', 'source.sha256');

function files(folder) {
  return fs.readdirSync(path.join(here, folder), { withFileTypes: true }).flatMap(entry => {
    const relative = path.posix.join(folder, entry.name);
    return entry.isDirectory() ? files(relative) : [relative];
  });
}

const inputs = ['package.json', 'tsconfig.json', ...files('src'), ...files('style')].sort();
const hash = crypto.createHash('sha256');
for (const relative of inputs) {
  hash.update(relative + '\0');
  hash.update(fs.readFileSync(path.join(here, relative)));
  hash.update('\0');
}
fs.writeFileSync(out, `${hash.digest('hex')}  sources of this build (labextension/source-hash.cjs)\n`);
