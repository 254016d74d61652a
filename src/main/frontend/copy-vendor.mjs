// Copies the browser builds of the npm dependencies into the jar's webroot (target/, never src/),
// so the page loads them from /vendor/ and no third-party file is committed.
// Usage: node copy-vendor.mjs <output directory>
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const FILES = {
  'sockjs-client/dist/sockjs.min.js': 'sockjs.min.js',
  // The minified file names its source map; shipping it avoids a 404 when dev tools are open.
  'sockjs-client/dist/sockjs.min.js.map': 'sockjs.min.js.map',
  'sockjs-client/LICENSE': 'sockjs-client.LICENSE.txt',
  '@vertx/eventbus-bridge-client.js/vertx-eventbus.js': 'vertx-eventbus.js',
  // The metrics chart: uPlot draws on a canvas and styles its elements from script (CSSOM),
  // which the page's policy allows; its few static rules come as a stylesheet, loaded by a <link>.
  'uplot/dist/uPlot.iife.min.js': 'uPlot.iife.min.js',
  'uplot/dist/uPlot.min.css': 'uPlot.min.css',
  'uplot/LICENSE': 'uplot.LICENSE.txt',
};

const out = process.argv[2];
if (!out) {
  console.error('usage: node copy-vendor.mjs <output directory>');
  process.exit(2);
}
const modules = join(dirname(fileURLToPath(import.meta.url)), 'node_modules');
mkdirSync(out, { recursive: true });
for (const [from, to] of Object.entries(FILES)) {
  const source = join(modules, from);
  if (!existsSync(source)) {
    console.error(`missing ${source}: did "npm ci" run in ${dirname(modules)}?`);
    process.exit(1);
  }
  copyFileSync(source, join(out, to));
}
console.log(`copied ${Object.keys(FILES).length} vendor files to ${out}`);
