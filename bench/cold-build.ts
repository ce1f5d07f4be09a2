// Cold build time per Python version: an empty cache dir, sources from the
// offline sources file, so the figure is compile time, not download time.
import { rmSync } from 'node:fs';
import { createProgress } from '../src/plumbing/progress.js';
import { ensureToolchain } from '../src/toolchain/toolchain.js';
import { testSourcesFile } from '../test/support/toolchain.js';
import { printTable, scratchDir } from './common.js';

const versions = process.argv.slice(2).length ? process.argv.slice(2) : ['3.13', '3.11'];
const rows: Record<string, Record<string, number>> = {};
for (const python of versions) {
  const cacheDir = scratchDir(`cold-${python}`);
  const started = Date.now();
  await ensureToolchain({ python, cacheDir, sourcesFile: testSourcesFile(), progress: createProgress() });
  rows[python] = { seconds: (Date.now() - started) / 1000 };
  rmSync(cacheDir, { recursive: true, force: true });
}
printTable('cold toolchain build (every library and CPython, empty cache)', rows);
