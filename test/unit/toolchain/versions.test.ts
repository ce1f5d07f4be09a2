import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PYTHONS } from '../../../src/toolchain/recipes.js';
import { choosePython, satisfiesRequiresPython, selectPython } from '../../../src/toolchain/versions.js';

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

test('the version comes from the request, then .python-version, then requires-python', () => {
  assert.equal(choosePython('3.11', '3.12', '>=3.13'), '3.11');
  assert.equal(choosePython(undefined, '3.12\n', '>=3.13'), '3.12');
  assert.equal(choosePython(undefined, undefined, '>=3.11,<3.13'), '3.12.15');
  assert.equal(choosePython(undefined, undefined, '~=3.11.0'), '3.11.2');
  assert.equal(choosePython(undefined, undefined, undefined), undefined);
  assert.throws(() => choosePython(undefined, undefined, '<3.10'), /requires-python "<3\.10" in pyproject\.toml matches no supported CPython; supported: 3\.11/);
});

test('PEP 440 specifiers for requires-python', () => {
  assert.ok(satisfiesRequiresPython('3.13.5', '>=3.9'));
  assert.ok(!satisfiesRequiresPython('3.13.5', '>=3.9, !=3.13.*'));
  assert.ok(satisfiesRequiresPython('3.12.15', '==3.12.*'));
  assert.ok(satisfiesRequiresPython('3.13.5', '~=3.11'));
  assert.ok(!satisfiesRequiresPython('3.12.15', '~=3.11.0'));
  assert.ok(!satisfiesRequiresPython('3.13.5', '<3.13'));
  assert.ok(satisfiesRequiresPython('3.13.0', '==3.13'));
  assert.throws(() => satisfiesRequiresPython('3.13.5', '>=three'), /not understood/);
});
