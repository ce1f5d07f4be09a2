// Cold build time per Python version: an empty cache dir, sources from the
// offline sources file, so the figure is compile time, not download time.
// `--target aarch64-linux-musl` times a cross build on x86_64: its libraries,
// CPython and launcher (the x86_64 toolchain it needs comes from the usual cache).
import { rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createProgress } from '../src/plumbing/progress.js';
import type { PythonRecipe } from '../src/toolchain/recipes.js';
import { targetByTriple } from '../src/toolchain/targets.js';
import { selectPython } from '../src/toolchain/versions.js';
import { ensureToolchain } from '../src/toolchain/toolchain.js';
import { testSources } from '../test/support/toolchain.js';
import { printTable, scratchDir } from './common.js';

const { values, positionals } = parseArgs({ options: { target: { type: 'string' } }, allowPositionals: true });
const versions = positionals.length ? positionals : ['3.13', '3.11'];
const target = values.target ? targetByTriple(values.target, '--target') : undefined;
const progress = createProgress();
const rows: Record<string, Record<string, number>> = {};
for (const python of versions) {
  const cacheDir = scratchDir(`cold-${python}`);
  const recipe = selectPython(python);
  const buildToolchain = (pin: PythonRecipe) => ensureToolchain({ python: pin, sources: testSources(), progress });
  if (target) await buildToolchain(recipe); // not part of the figure
  const started = Date.now();
  await ensureToolchain({ python: recipe, target, cacheDir, sources: testSources(), progress, buildToolchain });
  rows[python] = { seconds: (Date.now() - started) / 1000 };
  rmSync(cacheDir, { recursive: true, force: true });
}
printTable(`cold toolchain build${target ? ` for ${target.triple}` : ''} (every library and CPython, empty cache)`, rows);
