// The typed examples against the declarations, with the TypeScript installed for the build
// (src/main/frontend): examples/typed.ts must compile, and examples/wrong-body.ts must be refused
// for its wrong body, or the declarations type nothing.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const tsc = join(here, '..', '..', 'src', 'main', 'frontend', 'node_modules', 'typescript', 'bin', 'tsc');

function run(project) {
  const result = spawnSync(process.execPath, [tsc, '--noEmit', '-p', join(here, 'examples', project)], { encoding: 'utf8' });
  if (result.error) {
    throw result.error;
  }
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

const ok = run('tsconfig.json');
if (ok.status !== 0) {
  console.error(`examples/typed.ts does not compile against oneloop-bus.d.ts:\n${ok.output}`);
  process.exit(1);
}
const wrong = run('tsconfig.wrong.json');
const errors = wrong.output.split('\n').filter((line) => line.includes('error TS'));
const expected = errors.length === 1 && errors[0].includes('wrong-body.ts') && /error TS2322/.test(errors[0]);
if (wrong.status === 0 || !expected) {
  console.error(`examples/wrong-body.ts should fail with exactly one TS2322 for its body, got exit ${wrong.status}:\n${wrong.output}`);
  process.exit(1);
}
console.log('oneloop-bus.d.ts: the typed example compiles, and a wrong body type is refused');
