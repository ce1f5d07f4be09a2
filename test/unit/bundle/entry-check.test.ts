import assert from 'node:assert/strict';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { checkEntry } from '../../../src/bundle/entry-check.js';
import { PybinError } from '../../../src/plumbing/errors.js';
import type { Toolchain } from '../../../src/toolchain/toolchain.js';
import { tempDir } from '../../support/tmp.js';

const PYTHON = '/usr/bin/python3.11';

/** A stand-in toolchain whose launcher is this machine's CPython; undefined (and the test skipped) without one. */
function toolchain(t: TestContext): Toolchain | undefined {
  if (!existsSync(PYTHON)) {
    t.skip(`checkEntry runs a real CPython, and there is no ${PYTHON} on this machine`);
    return undefined;
  }
  const dir = tempDir('entry-check-toolchain');
  mkdirSync(join(dir, 'bin'));
  symlinkSync(PYTHON, join(dir, 'bin', 'python'));
  return { dir, metadata: { launcher: 'bin/python' } } as unknown as Toolchain;
}

/** A stage dir holding these files (relative path -> content). */
function stage(files: Record<string, string>): string {
  const dir = tempDir('entry-check');
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

const refused = (...parts: string[]) => (error: unknown) =>
  error instanceof PybinError && error.input === 'entry' && parts.every((p) => error.message.includes(p));

test('a script entry is not checked (no Python runs)', async () => {
  const broken = { dir: '/nonexistent', metadata: { launcher: 'bin/python' } } as unknown as Toolchain;
  await checkEntry(broken, tempDir('entry-check'), { script: 'missing.py' });
});

test('pkg.mod:main passes when the staged pkg/mod.py defines main', async (t) => {
  const tc = toolchain(t);
  if (!tc) return;
  const dir = stage({ 'pkg/__init__.py': '', 'pkg/mod.py': 'import sys\n\ndef main():\n    return 0\n' });
  await checkEntry(tc, dir, { module: 'pkg.mod', attr: 'main' });
  // Classes and async functions count, and a dotted attribute needs only its first name.
  const more = stage({ 'app.py': 'class App:\n    def run(self): pass\n\nasync def serve(): pass\n' });
  await checkEntry(tc, more, { module: 'app', attr: 'App.run' });
  await checkEntry(tc, more, { module: 'app', attr: 'serve' });
});

test('a missing function is refused, naming the module and the missing name', async (t) => {
  const tc = toolchain(t);
  if (!tc) return;
  const dir = stage({ 'pkg/__init__.py': '', 'pkg/mod.py': 'def run():\n    pass\n\nif True:\n    print("not run at build time")\n' });
  await assert.rejects(checkEntry(tc, dir, { module: 'pkg.mod', attr: 'main' }), refused('pkg.mod', 'main', 'has no top-level main'));
  // A name used inside a function is not a top-level one.
  const inner = stage({ 'cli.py': 'def run():\n    main = 1\n    return main\n' });
  await assert.rejects(checkEntry(tc, inner, { module: 'cli', attr: 'main' }), refused('cli', 'no top-level main'));
});

test('the module is not run: the check reads it', async (t) => {
  const tc = toolchain(t);
  if (!tc) return;
  const dir = stage({ 'cli.py': 'raise SystemExit("imported at build time")\n\ndef main(): pass\n' });
  await checkEntry(tc, dir, { module: 'cli', attr: 'main' });
});

test('a missing module is refused, also under a missing package', async (t) => {
  const tc = toolchain(t);
  if (!tc) return;
  const dir = stage({ 'pkg/__init__.py': '', 'pkg/mod.py': 'def main(): pass\n' });
  await assert.rejects(checkEntry(tc, dir, { module: 'pkg.other', attr: 'main' }), refused('pkg.other:main', 'module pkg.other is not in the app'));
  await assert.rejects(checkEntry(tc, dir, { module: 'nopkg_pybin_test.mod', attr: 'main' }), refused('nopkg_pybin_test.mod'));
});

test('a name bound by import or by assignment passes', async (t) => {
  const tc = toolchain(t);
  if (!tc) return;
  const dir = stage({
    'pkg/__init__.py': '',
    'pkg/impl.py': 'def real_main(): pass\n',
    'pkg/reexport.py': 'from .impl import real_main as main\n',
    'pkg/assigned.py': 'from .impl import real_main\nmain = real_main\n',
    'pkg/annotated.py': 'from typing import Callable\nmain: Callable[[], None] = lambda: None\n',
    'pkg/unpacked.py': 'other, main = 1, 2\n',
    'pkg/imported.py': 'import os.path\n',
    'pkg/star.py': 'from .impl import *\n',
  });
  for (const [module, attr] of [['pkg.reexport', 'main'], ['pkg.assigned', 'main'], ['pkg.annotated', 'main'], ['pkg.unpacked', 'main'], ['pkg.imported', 'os'], ['pkg.star', 'real_main']] as const) {
    await checkEntry(tc, dir, { module, attr });
  }
});

test('a function defined in a module-level try/except or if/else block is found', async (t) => {
  const tc = toolchain(t);
  if (!tc) return;
  const dir = stage({
    'fast.py': 'try:\n    from _speedups import main\nexcept ImportError:\n    def main():\n        return 0\n',
    'plat.py': 'import sys\nif sys.platform == "win32":\n    def run(): pass\nelse:\n    def run(): return 1\n',
  });
  await checkEntry(tc, dir, { module: 'fast', attr: 'main' });
  await checkEntry(tc, dir, { module: 'plat', attr: 'run' });
});
