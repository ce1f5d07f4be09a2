import assert from 'node:assert/strict';
import { test } from 'node:test';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../../src/plumbing/package-root.js';
import { PYTHONS, type PythonRecipe } from '../../../src/toolchain/recipes.js';
import { planToolchain } from '../../../src/toolchain/plan.js';
import {
  choosePython,
  defaultPython,
  satisfiesRequiresPython,
  selectPython,
  supportedVersions,
  untestedWarning,
} from '../../../src/toolchain/versions.js';

/** A made-up set of pins: 3.13 tested, 3.14 untested, 3.15 an untested release candidate. */
const pin = (version: string, tested: boolean): PythonRecipe => ({ ...PYTHONS[0]!, version, tested });
const PINS = [pin('3.11.2', true), pin('3.12.15', false), pin('3.13.5', true), pin('3.14.8', false), pin('3.15.0rc2', false)];

test('a minor version picks its pinned patch release', () => {
  assert.equal(selectPython('3.13').version, '3.13.5');
  assert.equal(selectPython('3.11').version, '3.11.2');
});

test('an exact version must be pinned', () => {
  assert.equal(selectPython('3.13.5').version, '3.13.5');
  assert.throws(() => selectPython('3.13.4'), /python 3\.13\.4 is not supported; supported: 3\.11 \(3\.11\.2\).*3\.13 \(3\.13\.5\)/);
});

test('no version means the newest tested final release: never an untested one, never a release candidate', () => {
  const chosen = selectPython(undefined);
  assert.ok(chosen.tested, `${chosen.version} is tested`);
  assert.doesNotMatch(chosen.version, /rc|a|b/);
  assert.equal(chosen.version, PYTHONS.filter((p) => p.tested && !/(a|b|rc)\d+$/.test(p.version)).at(-1)?.version);
  assert.equal(chosen.version, '3.13.5'); // what the test suite builds today
  assert.equal(defaultPython(PINS).version, '3.13.5');
  assert.equal(selectPython('', PINS).version, '3.13.5');
  assert.throws(() => defaultPython([pin('3.14.8', false)]), /no tested final CPython/);
});

test('untested versions are still picked when asked for, and say so', () => {
  assert.equal(selectPython('3.14').version, '3.14.8');
  assert.equal(selectPython('3.15.0rc2').version, '3.15.0rc2');
  for (const python of PYTHONS) {
    const warning = untestedWarning(python);
    if (python.tested) assert.equal(warning, undefined);
    else assert.match(warning ?? '', new RegExp(`CPython ${python.version.replace(/\./g, '\\.')} is untested.*test suite builds only 3\\.11\\.2, 3\\.13\\.5`));
  }
  assert.equal(
    supportedVersions(PINS),
    '3.11 (3.11.2), 3.12 (3.12.15, untested), 3.13 (3.13.5), 3.14 (3.14.8, untested), 3.15 (3.15.0rc2, untested)',
  );
});

test('only 3.11 and 3.13 are tested: the versions whose sources the test machines can get', () => {
  assert.deepEqual(PYTHONS.filter((p) => p.tested).map((p) => p.version), ['3.11.2', '3.13.5']);
});

test('the tested mark is not part of the recipe hash: marking a version keeps its caches and prebuilt toolchains', () => {
  for (const python of PYTHONS) {
    const version = python.version;
    const original = planToolchain({ python: version }).recipeHash;
    const recipe = PYTHONS.find((p) => p.version === version) as { tested: boolean };
    recipe.tested = !recipe.tested;
    try {
      assert.equal(planToolchain({ python: version }).recipeHash, original, version);
    } finally {
      recipe.tested = !recipe.tested;
    }
  }
});

test('the README, action.yml and --help mark every untested version', () => {
  const readme = readFileSync(join(packageRoot(), 'README.md'), 'utf8');
  const action = readFileSync(join(packageRoot(), 'action.yml'), 'utf8');
  const untested = PYTHONS.filter((p) => !p.tested);
  for (const python of PYTHONS) {
    assert.ok(readme.includes(python.tested ? `${python.version},` : `${python.version} (untested)`), `README marks ${python.version}`);
  }
  const minors = (list: PythonRecipe[]) => list.map((p) => p.version.split('.').slice(0, 2).join('.')).join(', ');
  assert.ok(action.includes(`Tested: ${minors(PYTHONS.filter((p) => p.tested))}.`), 'action.yml lists the tested versions');
  assert.ok(action.includes(`): ${minors(untested)}.`), 'action.yml lists the untested versions');
  assert.ok(readme.includes(`Default: the newest tested final release, ${defaultPython().version}.`), 'README names the default');
  const help = execFileSync(process.execPath, ['--import', 'tsx', join(packageRoot(), 'src', 'cli.ts'), 'toolchain', '--help'], { encoding: 'utf8' });
  assert.ok(help.includes(`Supported: ${supportedVersions()}`), help);
  assert.ok(help.includes(`Default: ${defaultPython().version}, the newest final release`), help);
});

test('unsupported and malformed versions list what is supported', () => {
  assert.throws(() => selectPython('3.9'), (e: Error) => /not supported/.test(e.message) && /3\.14/.test(e.message));
  assert.throws(() => selectPython('python3'), /not a CPython version like 3\.13/);
  assert.throws(() => selectPython('2.7'), /not a CPython version/);
});

test('every pinned version gets the patches, each applied by version range and saying why it exists', async () => {
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
  assert.equal(choosePython(undefined, undefined, '>=3.11,<3.13'), '3.11.2');
  assert.equal(choosePython(undefined, undefined, '~=3.11.0'), '3.11.2');
  assert.equal(choosePython(undefined, undefined, undefined), undefined);
  assert.throws(() => choosePython(undefined, undefined, '<3.10'), /requires-python "<3\.10" in pyproject\.toml matches no supported CPython; supported: 3\.11/);
});

test('requires-python prefers the newest tested version, and falls back to an untested one (never a release candidate)', () => {
  assert.equal(choosePython(undefined, undefined, '>=3.11', PINS), '3.13.5');
  assert.equal(choosePython(undefined, undefined, '>=3.11,<3.13', PINS), '3.11.2');
  assert.equal(choosePython(undefined, undefined, '==3.12.*', PINS), '3.12.15');
  assert.equal(choosePython(undefined, undefined, '>=3.14', PINS), '3.14.8');
  assert.equal(choosePython(undefined, undefined, '>=3.14'), '3.14.8');
  assert.throws(() => choosePython(undefined, undefined, '>=3.15', PINS), /matches no supported CPython/);
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
