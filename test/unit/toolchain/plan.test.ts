import assert from 'node:assert/strict';
import { test } from 'node:test';
import { linkedLibraries, planToolchain } from '../../../src/toolchain/plan.js';
import { selectPython } from '../../../src/toolchain/versions.js';
import { targetByTriple } from '../../../src/toolchain/targets.js';

const musl = targetByTriple('x86_64-linux-musl');
const glibc = targetByTriple('x86_64-linux-gnu');

test('musl launchers of versions without a bundled mimalloc link it in place of musl\'s malloc; glibc and 3.13 do not', () => {
  const py311 = selectPython('3.11');
  const py313 = selectPython('3.13');
  assert.deepEqual(linkedLibraries(py311, musl), [...py311.libraries, 'mimalloc']);
  assert.deepEqual(linkedLibraries(py311, glibc), py311.libraries);
  assert.deepEqual(linkedLibraries(py313, musl), py313.libraries);
  assert.deepEqual(
    planToolchain({ python: selectPython('3.11'), target: musl }).libraries.map((l) => l.recipe.name),
    linkedLibraries(py311, musl),
  );
});

test('only the x86_64 targets are built profile-guided, a profile-guided build hashes apart from a plain one, and a plan hashes the same every time', () => {
  const x86 = planToolchain({ python: selectPython('3.13'), target: musl });
  assert.equal(x86.target.profileGuided, true);
  assert.equal(targetByTriple('aarch64-linux-musl').profileGuided, false);
  // Otherwise a plain build and a profile-guided one would share a cache entry and a prebuilt manifest entry.
  assert.notEqual(planToolchain({ python: selectPython('3.13'), target: { ...musl, profileGuided: false } }).recipeHash, x86.recipeHash);
  // The same request plans the same hash every time (nothing from the machine or the clock goes in).
  assert.equal(planToolchain({ python: selectPython('3.13'), target: musl }).recipeHash, x86.recipeHash);
});
