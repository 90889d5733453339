/**
 * Preloaded (node --require) into the compiled server by test/operations/built-server.test.ts:
 * reports on stderr every devDependency the server's own code (dist/) loads, which an image
 * installed with `npm ci --omit=dev` would not have.
 */
const Module = require('node:module');
const { join, sep } = require('node:path');

const root = join(__dirname, '..', '..', '..');
const dev = new Set(Object.keys(require(join(root, 'package.json')).devDependencies));
const ownCode = join(root, 'dist') + sep;
const packageOf = (request) => {
  const parts = request.split('/');
  return request.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
};
const load = Module._load;
Module._load = function (request, parent, isMain) {
  const name = packageOf(request);
  if (!request.startsWith('.') && !request.startsWith('node:') && parent && parent.filename) {
    if (dev.has(name) && parent.filename.startsWith(ownCode))
      process.stderr.write(`DEV PACKAGE LOADED: ${request} from ${parent.filename}\n`);
  }
  return load.apply(this, arguments);
};
