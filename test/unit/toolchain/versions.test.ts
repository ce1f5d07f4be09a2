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

// The real pins change with every release: the tests below check what must hold of any set of them, never which they are.
const VERSION = /^3\.(\d+)\.(\d+)(?:(a|b|rc)(\d+))?$/;
const minorOf = (version: string) => version.split('.').slice(0, 2).join('.');
const isFinal = (version: string) => /^\d+\.\d+\.\d+$/.test(version);
/** Release order: by minor and patch, a pre-release (a < b < rc) before its final release. */
function releaseOrder(a: string, b: string): number {
  const key = (version: string) => {
    const [, minor, patch, kind, number] = VERSION.exec(version) ?? assert.fail(`${version} is not a CPython version`);
    return [Number(minor), Number(patch), kind ? ['a', 'b', 'rc'].indexOf(kind) : 3, Number(number ?? 0)];
  };
  const [x, y] = [key(a), key(b)];
  return x.map((n, i) => n - y[i]!).find((d) => d !== 0) ?? 0;
}
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

test('every pin is a CPython 3 version with a sha256 of 64 hex digits and its python.org tarball, one per minor, oldest first', () => {
  assert.ok(PYTHONS.length > 0);
  for (const python of PYTHONS) {
    assert.match(python.version, VERSION);
    assert.match(python.sha256, /^[0-9a-f]{64}$/, python.version);
    const release = python.version.replace(/(a|b|rc)\d+$/, '');
    assert.match(python.url, new RegExp(`^https://www\\.python\\.org/ftp/python/${escape(release)}/Python-${escape(python.version)}\\.(tgz|tar\\.xz)$`), python.version);
  }
  assert.equal(new Set(PYTHONS.map((p) => p.sha256)).size, PYTHONS.length, 'no two pins share a tarball');
  const minors = PYTHONS.map((p) => minorOf(p.version));
  assert.equal(new Set(minors).size, minors.length, `one pin per minor version: ${minors.join(', ')}`);
  for (let i = 1; i < PYTHONS.length; i++) assert.ok(releaseOrder(PYTHONS[i - 1]!.version, PYTHONS[i]!.version) < 0, `${PYTHONS[i - 1]!.version} before ${PYTHONS[i]!.version}`);
});

test('a minor version picks its pinned patch release', () => {
  for (const python of PYTHONS) {
    assert.equal(selectPython(minorOf(python.version)), python, minorOf(python.version));
    assert.equal(selectPython(` ${minorOf(python.version)}\n`), python, 'surrounding space is ignored');
    // requires-python that only this minor satisfies picks it, unless it is a pre-release (never chosen that way).
    const only = () => choosePython(undefined, undefined, `==${minorOf(python.version)}.*`);
    if (isFinal(python.version)) assert.equal(only(), python, python.version);
    else assert.throws(only, /matches no supported CPython/, python.version);
  }
});

test('an exact version must be pinned', () => {
  for (const python of PYTHONS) assert.equal(selectPython(python.version), python);
  const [, minor, patch] = VERSION.exec(PYTHONS[0]!.version)!;
  const unpinned = `3.${minor}.${Number(patch) + 1}`;
  assert.ok(!PYTHONS.some((p) => p.version === unpinned));
  assert.throws(
    () => selectPython(unpinned),
    (e: Error) => {
      assert.match(e.message, new RegExp(`^python ${escape(unpinned)} is not supported; supported: `));
      for (const python of PYTHONS) assert.ok(e.message.includes(`${minorOf(python.version)} (${python.version}`), `${python.version} is listed: ${e.message}`);
      return true;
    },
  );
});

test('no version means the newest tested final release: never an untested one, never a release candidate', () => {
  const chosen = selectPython(undefined);
  assert.ok(chosen.tested, `${chosen.version} is tested`);
  assert.doesNotMatch(chosen.version, /rc|a|b/);
  const newest = PYTHONS.filter((p) => p.tested && isFinal(p.version)).sort((a, b) => releaseOrder(a.version, b.version)).at(-1);
  assert.ok(newest, 'at least one tested final release is pinned');
  assert.equal(chosen, newest);
  assert.equal(defaultPython(PINS).version, '3.13.5');
  assert.equal(selectPython('', PINS).version, '3.13.5');
  assert.throws(() => defaultPython([pin('3.14.8', false)]), /no tested final CPython/);
});

test('untested versions are still picked when asked for, and say so', () => {
  const tested = PYTHONS.filter((p) => p.tested);
  for (const python of PYTHONS) {
    assert.equal(selectPython(python.version), python);
    const warning = untestedWarning(python);
    if (python.tested) {
      assert.equal(warning, undefined);
      continue;
    }
    assert.match(warning ?? '', new RegExp(`^CPython ${escape(python.version)} is untested: .*test suite builds only `));
    for (const t of tested) assert.ok(warning!.includes(t.version), `the warning names tested ${t.version}: ${warning}`);
  }
  assert.equal(
    supportedVersions(PINS),
    '3.11 (3.11.2), 3.12 (3.12.15, untested), 3.13 (3.13.5), 3.14 (3.14.8, untested), 3.15 (3.15.0rc2, untested)',
  );
});

test('every tested version is one whose sources the test machines can get (scripts/offline-sources.sh)', () => {
  const script = readFileSync(join(packageRoot(), 'scripts', 'offline-sources.sh'), 'utf8');
  for (const python of PYTHONS.filter((p) => p.tested)) {
    assert.match(script, new RegExp(`^\\s*"cpython-${escape(python.version)} `, 'm'), `scripts/offline-sources.sh fetches CPython ${python.version}`);
  }
});

test('the tested mark is not part of the recipe hash: marking a version keeps its caches and prebuilt toolchains', () => {
  for (const python of PYTHONS) {
    const version = python.version;
    const original = planToolchain({ python: selectPython(version) }).recipeHash;
    const recipe = PYTHONS.find((p) => p.version === version) as { tested: boolean };
    recipe.tested = !recipe.tested;
    try {
      assert.equal(planToolchain({ python: selectPython(version) }).recipeHash, original, version);
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
  assert.throws(() => selectPython('3.9'), (e: Error) => /not supported/.test(e.message) && PYTHONS.every((p) => e.message.includes(p.version)));
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

test('the version comes from the request, then .python-version, then requires-python, else the default', () => {
  const chosen = (...args: Parameters<typeof choosePython>) => choosePython(...args).version;
  assert.equal(chosen(selectPython('3.11', PINS), '3.12', '>=3.13', PINS), '3.11.2');
  assert.equal(chosen(undefined, '3.12\n', '>=3.13', PINS), '3.12.15');
  assert.equal(chosen(undefined, undefined, '>=3.11,<3.13', PINS), '3.11.2');
  assert.equal(chosen(undefined, undefined, '~=3.11.0', PINS), '3.11.2');
  assert.equal(choosePython(undefined, undefined, undefined), defaultPython());
  assert.throws(() => choosePython(undefined, undefined, '<3.10', PINS), /requires-python "<3\.10" in pyproject\.toml matches no supported CPython; supported: 3\.11 \(3\.11\.2\)/);
  assert.throws(() => choosePython(undefined, '3.9', undefined), { input: 'python-version', message: /the app's \.python-version: python 3\.9 is not supported/ });
});

test('requires-python prefers the newest tested version, and falls back to an untested one (never a release candidate)', () => {
  const chosen = (spec: string, pins?: typeof PINS) => choosePython(undefined, undefined, spec, pins).version;
  assert.equal(chosen('>=3.11', PINS), '3.13.5');
  assert.equal(chosen('>=3.11,<3.13', PINS), '3.11.2');
  assert.equal(chosen('==3.12.*', PINS), '3.12.15');
  assert.equal(chosen('>=3.14', PINS), '3.14.8');
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
