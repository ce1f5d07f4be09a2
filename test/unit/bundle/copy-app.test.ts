import assert from 'node:assert/strict';
import { lstatSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { copyAppFiles, listAppTree, type CopyOptions } from '../../../src/bundle/copy-app.js';

/** Walk, then copy, as planning and staging do; the number of files. */
function copyAppTree(appDir: string, into: string, options: CopyOptions): number {
  const files = listAppTree(appDir, options);
  mkdirSync(into, { recursive: true });
  copyAppFiles(files, into);
  return files.length;
}
import { PybinError } from '../../../src/plumbing/errors.js';
import { listFiles } from '../../../src/plumbing/tree.js';
import { tempDir } from '../../support/tmp.js';

/** An app dir holding these files (relative path -> content). */
function app(files: Record<string, string>): string {
  const dir = join(tempDir('copy-app'), 'app');
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

/** Copy an app dir and list what arrived, sorted. */
function copied(appDir: string, excludes: string[] = [], skipPaths: string[] = []): { files: string[]; count: number; out: string } {
  const out = join(dirname(appDir), 'stage');
  const count = copyAppTree(appDir, out, { excludes, skipPaths });
  return { files: listFiles(out).sort(), count, out };
}

test('version control, caches, node_modules and virtualenvs stay behind, at any depth', () => {
  const dir = app({
    'main.py': 'print(1)',
    'pkg/__init__.py': '',
    'pkg/__pycache__/mod.cpython-313.pyc': 'x',
    '.git/HEAD': 'ref',
    'node_modules/left-pad/index.js': '',
    '.venv/bin/python': '',
    'venv/lib/site.py': '',
    'pkg/.mypy_cache/x.json': '{}',
    '.pytest_cache/v': '',
    'sub/.git/config': '',
    '.gitignore': '*.pyc',
  });
  const { files, count } = copied(dir);
  assert.deepEqual(files, ['.gitignore', 'main.py', 'pkg/__init__.py']);
  assert.equal(count, 3);
});

test('a virtualenv under any name (a dir with pyvenv.cfg) is skipped', () => {
  const dir = app({ 'main.py': '', 'env-3.13/pyvenv.cfg': 'home = /usr/bin', 'env-3.13/lib/x.py': '', 'data/pyvenv.txt': 'not a venv' });
  assert.deepEqual(copied(dir).files, ['data/pyvenv.txt', 'main.py']);
});

test('--exclude globs match paths relative to the app dir, and bare names at any depth', () => {
  const dir = app({
    'main.py': '',
    'data/big.csv': '',
    'data/keep.txt': '',
    'data/nested/deep.csv': '',
    'debug.log': '',
    'pkg/trace.log': '',
    'tests/test_main.py': '',
    'pkg/tests/test_pkg.py': '',
  });
  const { files } = copied(dir, ['data/*.csv', '*.log', 'tests']);
  assert.deepEqual(files, ['data/keep.txt', 'data/nested/deep.csv', 'main.py']);
});

test('skipPaths: the output dir inside the app dir is not copied into the stage', () => {
  const dir = app({ 'main.py': '', 'dist/hello-linux-x86_64': 'an earlier binary', 'dist2/kept.txt': '' });
  assert.deepEqual(copied(dir, [], [join(dir, 'dist')]).files, ['dist2/kept.txt', 'main.py']);
  // A skip path that does not exist yet (the output dir before the first build) is harmless.
  const other = app({ 'main.py': '' });
  assert.deepEqual(copied(other, [], [join(other, 'out')]).files, ['main.py']);
});

test('a symlink inside the app dir is followed: its target is copied as a plain file', () => {
  const dir = app({ 'main.py': '', 'shared/config.toml': 'key = 1', 'lib/impl.py': 'X = 1' });
  symlinkSync('shared/config.toml', join(dir, 'config.toml'));
  symlinkSync(join(dir, 'lib'), join(dir, 'linked-lib'));
  const { files, out } = copied(dir);
  assert.deepEqual(files, ['config.toml', 'lib/impl.py', 'linked-lib/impl.py', 'main.py', 'shared/config.toml']);
  assert.ok(!lstatSync(join(out, 'config.toml')).isSymbolicLink());
  assert.ok(!lstatSync(join(out, 'linked-lib')).isSymbolicLink());
  assert.equal(readFileSync(join(out, 'config.toml'), 'utf8'), 'key = 1');
});

test('a symlink leaving the app dir stops the copy with an error naming the link', () => {
  const dir = app({ 'main.py': '' });
  const outside = join(dirname(dir), 'secret.txt');
  writeFileSync(outside, 'not the app');
  mkdirSync(join(dir, 'pkg'));
  symlinkSync(outside, join(dir, 'pkg', 'data.txt'));
  assert.throws(
    () => copyAppTree(dir, join(dirname(dir), 'stage'), { excludes: [], skipPaths: [] }),
    (error: unknown) => error instanceof PybinError && error.input === 'app' && error.message.includes('pkg/data.txt') && error.message.includes(outside),
  );
});

test('a symlink leaving the app dir is not an error when --exclude drops it', () => {
  const dir = app({ 'main.py': '' });
  symlinkSync(dirname(dir), join(dir, 'parent'));
  assert.deepEqual(copied(dir, ['parent']).files, ['main.py']);
});

test('a symlink to a dir that contains it is refused, not followed for ever', () => {
  const dir = app({ 'main.py': '', 'pkg/mod.py': '' });
  symlinkSync('..', join(dir, 'pkg', 'up'));
  const stage = join(dirname(dir), 'stage');
  assert.throws(
    () => copyAppTree(dir, stage, { excludes: [], skipPaths: [] }),
    (error: unknown) => error instanceof PybinError && error.input === 'app' && error.message.includes('pkg/up'),
  );
});

test('a broken symlink is refused, naming it and where it points', () => {
  const dir = app({ 'main.py': '' });
  symlinkSync('gone.txt', join(dir, 'data.txt'));
  assert.throws(
    () => listAppTree(dir, { excludes: [], skipPaths: [] }),
    (error: unknown) => error instanceof PybinError && error.input === 'app' && /data\.txt is a broken symlink \(to gone\.txt\)/.test(error.message),
  );
});
