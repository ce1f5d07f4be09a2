import assert from 'node:assert/strict';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { planBundle, type BundleOptions } from '../../../src/bundle/plan.js';
import { parseTargetRequest } from '../../../src/bundle/target.js';
import { PybinError } from '../../../src/plumbing/errors.js';
import { defaultPython, selectPython } from '../../../src/toolchain/versions.js';
import { tempDir } from '../../support/tmp.js';

/** An app dir named `name` holding these files (a __main__.py unless given others). */
function app(files: Record<string, string> = { '__main__.py': 'print("hi")' }, name = 'my-app'): string {
  const dir = join(tempDir('plan'), name);
  mkdirSync(dir);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

function options(appDir: string, more: Partial<BundleOptions> = {}): BundleOptions {
  return {
    appDir,
    target: parseTargetRequest('auto', undefined),
    outDir: join(dirname(appDir), 'out'),
    excludes: [],
    compression: 'deflate',
    extract: false,
    keepSources: true,
    ...more,
  };
}

const refused = (input: string, pattern: RegExp) => (error: unknown) =>
  error instanceof PybinError && error.input === input && pattern.test(error.message);

const hostArch = ({ x64: 'x86_64', arm64: 'aarch64' } as Record<string, string>)[process.arch];

test('a missing app dir, or a file in its place, is refused as the app input', () => {
  const missing = join(tempDir('plan'), 'nowhere');
  assert.throws(() => planBundle(options(missing)), refused('app', /nowhere does not exist/));
  const file = join(tempDir('plan'), 'main.py');
  writeFileSync(file, '');
  assert.throws(() => planBundle(options(file)), refused('app', /not a directory/));
});

test('the binary is <name>-linux-<arch> in the output dir, which is created', () => {
  const dir = app();
  const out = join(dirname(dir), 'deep', 'out');
  const plan = planBundle(options(dir, { outDir: out }));
  assert.equal(plan.name, 'my-app');
  assert.equal(plan.outDir, out);
  assert.ok(existsSync(out) && statSync(out).isDirectory());
  assert.equal(plan.os, 'linux');
  if (hostArch) assert.equal(plan.arch, hostArch);
  assert.equal(plan.binary, join(out, `my-app-linux-${plan.arch}`));
  assert.equal(plan.appDir, dir);
  assert.deepEqual(plan.entry, { script: '__main__.py' });
});

test('the name: --name, else [project].name, else the fallback name, else the app dir\'s', () => {
  const pyproject = '[project]\nname = "from-pyproject"\nversion = "1"\n';
  const withProject = app({ '__main__.py': '', 'pyproject.toml': pyproject }, 'dir-name');
  assert.equal(planBundle(options(withProject, { name: 'from-flag', fallbackName: 'repo' })).name, 'from-flag');
  assert.equal(planBundle(options(withProject, { fallbackName: 'repo' })).name, 'from-pyproject');
  const plain = app(undefined, 'dir-name');
  assert.equal(planBundle(options(plain, { fallbackName: 'repo' })).name, 'repo');
  assert.equal(planBundle(options(plain)).name, 'dir-name');
});

test('a name that is not a plain file name is refused as the name input', () => {
  const dir = app();
  for (const name of ['../escape', 'a/b', '-dash-first', 'has space', '.hidden']) {
    assert.throws(() => planBundle(options(dir, { name })), refused('name', /must be a plain file name/), name);
  }
  const badProject = app({ '__main__.py': '', 'pyproject.toml': '[project]\nname = "my tool"\n' });
  assert.throws(() => planBundle(options(badProject)), refused('name', /"my tool"/));
});

test('requirements.txt in the app dir is used unless --requirements names another file', () => {
  const dir = app({ '__main__.py': '', 'requirements.txt': 'rich\n' });
  assert.equal(planBundle(options(dir)).requirements, join(dir, 'requirements.txt'));
  const other = join(dirname(dir), 'prod.txt');
  writeFileSync(other, 'click\n');
  assert.equal(planBundle(options(dir, { requirements: other })).requirements, other);
  assert.equal(planBundle(options(app())).requirements, undefined);
});

test('a missing --requirements file is refused as the requirements input', () => {
  const dir = app();
  const missing = join(dir, 'missing.txt');
  assert.throws(() => planBundle(options(dir, { requirements: missing })), refused('requirements', /missing\.txt does not exist/));
});

test('the Python: --python wins, then .python-version, then requires-python, then the default', () => {
  const py311 = selectPython('3.11');
  assert.notEqual(py311.version, defaultPython().version, 'the test needs 3.11 not to be the default');

  const pinnedElsewhere = app({ '__main__.py': '', '.python-version': '3.13\n', 'pyproject.toml': '[project]\nname = "x"\nrequires-python = ">=3.13"\n' });
  assert.equal(planBundle(options(pinnedElsewhere, { python: py311 })).python.version, py311.version);

  const versionFile = app({ '__main__.py': '', '.python-version': '3.11\n# a comment pyenv ignores\n', 'pyproject.toml': '[project]\nname = "x"\nrequires-python = ">=3.13"\n' });
  assert.equal(planBundle(options(versionFile)).python.version, py311.version);

  const requires = app({ '__main__.py': '', 'pyproject.toml': '[project]\nname = "x"\nrequires-python = ">=3.10,<3.12"\n' });
  assert.equal(planBundle(options(requires)).python.version, py311.version);

  assert.equal(planBundle(options(app())).python.version, defaultPython().version);
});

test('an unsupported .python-version is refused as the python-version input', () => {
  assert.throws(() => planBundle(options(app({ '__main__.py': '', '.python-version': '2.7\n' }))), refused('python-version', /\.python-version.*2\.7/));
  assert.throws(() => planBundle(options(app({ '__main__.py': '', '.python-version': 'pypy3.10\n' }))), refused('python-version', /\.python-version/));
});

test('the entry is resolved against the app dir: the only [project.scripts] entry, or --entry', () => {
  const dir = app({ 'pyproject.toml': '[project]\nname = "x"\n[project.scripts]\nx = "x.cli:main"\n', 'x/cli.py': '' });
  assert.deepEqual(planBundle(options(dir)).entry, { module: 'x.cli', attr: 'main' });
  assert.throws(() => planBundle(options(app({ 'main.py': '' }))), refused('entry', /no entry point found/));
});
