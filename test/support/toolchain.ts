import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/plumbing/package-root.js';
import { createProgress } from '../../src/plumbing/progress.js';
import { minorVersion } from '../../src/toolchain/cpython.js';
import { PYTHONS } from '../../src/toolchain/recipes.js';
import { loadSourceOverrides, type SourceOverrides } from '../../src/toolchain/sources.js';
import { targetByTriple } from '../../src/toolchain/targets.js';
import { selectPython } from '../../src/toolchain/versions.js';
import { ensureToolchain, type Toolchain } from '../../src/toolchain/toolchain.js';

/**
 * The --sources file the tests build from: $PYBIN_TEST_SOURCES, else the one
 * `npm test` makes with scripts/offline-sources.sh (.pybin-sources/).
 */
export function testSourcesFile(): string {
  const file = process.env.PYBIN_TEST_SOURCES ?? join(packageRoot(), '.pybin-sources', 'sources.json');
  if (!existsSync(file)) throw new Error(`${file} is missing: run scripts/offline-sources.sh .pybin-sources`);
  return file;
}

/** The test sources file, read as --sources reads it. */
export function testSources(): SourceOverrides {
  return loadSourceOverrides(testSourcesFile());
}

/** A real toolchain (default: the static musl target), built once per cache and shared by every test through it. */
export function testToolchain(python: string, target?: string): Promise<Toolchain> {
  return ensureToolchain({ python: selectPython(python), target: target ? targetByTriple(target) : undefined, sources: testSources(), progress: createProgress() });
}

/**
 * The Python versions the suite builds: $PYBIN_TEST_PYTHONS, else the recipes
 * marked `tested` (those whose sources can be had on this machine kind), newest first.
 */
export const TEST_PYTHONS = (
  process.env.PYBIN_TEST_PYTHONS ??
  PYTHONS.filter((p) => p.tested).map((p) => minorVersion(p.version)).reverse().join(',')
).split(',');
