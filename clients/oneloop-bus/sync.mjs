// The module and its declarations live once, where the server serves them from
// (src/main/resources/webroot); `npm pack` copies them here first, so the package never holds a
// copy of its own that could drift from what a oneloop serves.
import { copyFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const served = join(here, '..', '..', 'src', 'main', 'resources', 'webroot');
for (const file of ['oneloop-bus.js', 'oneloop-bus.d.ts']) {
  copyFileSync(join(served, file), join(here, file));
}
