import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PYTHONS } from '../../../src/toolchain/recipes.js';
import { selectPython } from '../../../src/toolchain/versions.js';

test('a minor version picks its pinned patch release', () => {
  assert.equal(selectPython('3.13').version, '3.13.5');
  assert.equal(selectPython('3.11').version, '3.11.2');
});

test('an exact version must be pinned', () => {
  assert.equal(selectPython('3.13.5').version, '3.13.5');
  assert.throws(() => selectPython('3.13.4'), /python 3\.13\.4 is not supported; supported: 3\.11 \(3\.11\.2\).*3\.13 \(3\.13\.5\)/);
});

test('no version means the newest final release, never a release candidate', () => {
  const chosen = selectPython(undefined);
  assert.doesNotMatch(chosen.version, /rc|a|b/);
  assert.equal(chosen.version, PYTHONS.filter((p) => !/(a|b|rc)\d+$/.test(p.version)).at(-1)?.version);
});

test('unsupported and malformed versions list what is supported', () => {
  assert.throws(() => selectPython('3.9'), (e: Error) => /not supported/.test(e.message) && /3\.14/.test(e.message));
  assert.throws(() => selectPython('python3'), /not a CPython version like 3\.13/);
  assert.throws(() => selectPython('2.7'), /not a CPython version/);
});

test('every pinned version has a patch directory and every patch says why it exists', async () => {
  const { patchFiles } = await import('../../../src/toolchain/cpython.js');
  const { readFileSync } = await import('node:fs');
  for (const python of PYTHONS) {
    const patches = patchFiles(python.version);
    assert.ok(patches.length > 0, `no patches for ${python.version}`);
    for (const patch of patches) assert.match(readFileSync(patch, 'utf8'), /^Why: /, patch);
  }
});
