import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { resolveCacheDir } from '../../src/toolchain/cache.js';
import { pybin } from '../support/cli.js';
import { TEST_PYTHONS, testSourcesFile, testToolchain } from '../support/toolchain.js';

const python = TEST_PYTHONS[0]!;

/** A copy of the test sources file with one entry changed. */
function sourcesWith(id: string, change: Record<string, string>): string {
  const sources = JSON.parse(readFileSync(testSourcesFile(), 'utf8'));
  const dir = mkdtempSync(join(tmpdir(), 'pybin-sources-'));
  for (const entry of Object.values(sources) as { path: string }[]) entry.path = join(join(testSourcesFile(), '..'), entry.path);
  sources[id] = { ...sources[id], ...change };
  const file = join(dir, 'sources.json');
  writeFileSync(file, JSON.stringify(sources));
  return file;
}

function assertCleanFailure(result: { status: number | null; stderr: string; stdout: string }, pattern: RegExp) {
  assert.notEqual(result.status, 0);
  assert.match(result.stderr, pattern);
  assert.doesNotMatch(result.stderr, /\n\s+at .*\(.*:\d+:\d+\)/, 'no stack trace');
  assert.equal(result.stdout, '');
}

describe('pybin toolchain', { timeout: 30 * 60_000 }, () => {
  test('a second request is a cache hit; the directory is the last line on stdout', async () => {
    const toolchain = await testToolchain(python);
    const result = await pybin(['toolchain', '--python', python, '--sources', testSourcesFile()]);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout.trim().split('\n').at(-1), toolchain.dir);
    assert.match(result.stderr, /toolchain cache hit/);
    assert.doesNotMatch(result.stderr, /build |configure |make /);
  });

  test('--help documents every option', async () => {
    const result = await pybin(['toolchain', '--help']);
    for (const option of ['--python', '--sources', '--cache-dir', '--jobs']) assert.match(result.stdout, new RegExp(option));
  });

  test('an unsupported Python version lists the supported ones', async () => {
    assertCleanFailure(await pybin(['toolchain', '--python', '3.9']), /python 3\.9 is not supported; supported: 3\.11 \(3\.11\.2\), 3\.12/);
  });

  test('a checksum mismatch names the file and both hashes; nothing is built', async () => {
    const before = readdirSync(join(resolveCacheDir(), 'toolchains'));
    const wrong = '0'.repeat(64);
    const result = await pybin(['toolchain', '--python', python, '--sources', sourcesWith(`cpython-${(await testToolchain(python)).metadata.python}`, { sha256: wrong })]);
    assertCleanFailure(result, new RegExp(`checksum mismatch for cpython-${python}\\.\\d+ \\(.*\\.orig\\.tar\\.\\w+\\): expected sha256 ${wrong}, got [0-9a-f]{64}`));
    assert.deepEqual(readdirSync(join(resolveCacheDir(), 'toolchains')), before, 'no new toolchain dir');
  });

  test('a missing tarball names the component and path', async () => {
    const id = `cpython-${(await testToolchain(python)).metadata.python}`;
    const result = await pybin(['toolchain', '--python', python, '--sources', sourcesWith(id, { path: '/nowhere/Python.tar.xz', sha256: '1'.repeat(64) })]);
    assertCleanFailure(result, new RegExp(`missing source tarball for ${id}: /nowhere/Python.tar.xz does not exist`));
  });

  test('no musl compiler: says how to install one', async () => {
    const bin = mkdtempSync(join(tmpdir(), 'pybin-path-'));
    symlinkSync(process.execPath, join(bin, 'node'));
    const result = await pybin(['toolchain', '--python', python], { PATH: bin, PYBIN_CACHE_DIR: resolveCacheDir() });
    assertCleanFailure(result, /no musl C compiler found \(musl-gcc is not on PATH\): .*apt-get install musl-tools/);
  });

  test('an unwritable cache dir is refused before any work', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'pybin-file-')), 'plain-file');
    writeFileSync(file, '');
    assertCleanFailure(await pybin(['toolchain', '--cache-dir', join(file, 'cache')]), /cache dir .*plain-file\/cache is not writable .*--cache-dir/);
  });

  test('unknown options and bad --jobs are usage errors', async () => {
    assert.equal((await pybin(['toolchain', '--pyton', '3.13'])).status, 2);
    assertCleanFailure(await pybin(['toolchain', '--jobs', 'many']), /--jobs needs a whole number/);
  });
});
