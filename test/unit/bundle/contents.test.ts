import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { moveAppMain, STARTUP_STDLIB } from '../../../src/bundle/contents.js';
import { PybinError } from '../../../src/plumbing/errors.js';
import { tempDir } from '../../support/tmp.js';

/** A stage dir holding these files (relative path -> content). */
function stage(files: Record<string, string>): string {
  const dir = tempDir('contents');
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

const refused = (input: string, pattern: RegExp) => (error: unknown) =>
  error instanceof PybinError && error.input === input && pattern.test(error.message);

test('the app\'s __main__.py moves to __pybin_main__.py, and a __main__.py entry follows it', () => {
  const dir = stage({ '__main__.py': 'print("app main")', 'helper.py': '' });
  assert.deepEqual(moveAppMain(dir, { script: '__main__.py' }), { script: '__pybin_main__.py' });
  assert.ok(!existsSync(join(dir, '__main__.py')));
  assert.equal(readFileSync(join(dir, '__pybin_main__.py'), 'utf8'), 'print("app main")');
  assert.ok(existsSync(join(dir, 'helper.py')));
});

test('a module:function entry is returned unchanged, though __main__.py still moves aside', () => {
  const dir = stage({ '__main__.py': '', 'pkg/cli.py': 'def main(): pass' });
  const entry = { module: 'pkg.cli', attr: 'main' };
  assert.deepEqual(moveAppMain(dir, entry), entry);
  assert.ok(!existsSync(join(dir, '__main__.py')));
  assert.ok(existsSync(join(dir, '__pybin_main__.py')));
});

test('another script entry is returned unchanged; a stage without __main__.py is left alone', () => {
  const dir = stage({ 'tools/run.py': '', '__main__.py': '' });
  assert.deepEqual(moveAppMain(dir, { script: 'tools/run.py' }), { script: 'tools/run.py' });
  const plain = stage({ 'pkg/cli.py': '', 'pkg/__main__.py': '' });
  assert.deepEqual(moveAppMain(plain, { module: 'pkg.cli', attr: 'main' }), { module: 'pkg.cli', attr: 'main' });
  assert.ok(existsSync(join(plain, 'pkg/__main__.py')), 'only the top-level __main__.py moves');
  assert.ok(!existsSync(join(plain, '__pybin_main__.py')));
});

test('a script entry missing from the stage is refused as the entry input', () => {
  const dir = stage({ 'pkg/cli.py': '' });
  assert.throws(() => moveAppMain(dir, { script: 'run.py' }), refused('entry', /entry script run\.py is not among the files/));
  assert.throws(() => moveAppMain(dir, { script: '__main__.py' }), refused('entry', /__main__\.py/));
});

test('an app with both __pybin_main__.py and __main__.py is refused, and nothing is overwritten', () => {
  const dir = stage({ '__main__.py': 'mine', '__pybin_main__.py': 'also mine' });
  assert.throws(() => moveAppMain(dir, { script: '__main__.py' }), refused('app', /__pybin_main__\.py.*rename it/));
  assert.equal(readFileSync(join(dir, '__main__.py'), 'utf8'), 'mine');
  assert.equal(readFileSync(join(dir, '__pybin_main__.py'), 'utf8'), 'also mine');
  // Alone, an app's __pybin_main__.py is just a module.
  const alone = stage({ '__pybin_main__.py': '', 'run.py': '' });
  assert.deepEqual(moveAppMain(alone, { script: 'run.py' }), { script: 'run.py' });
});

test('the stored start-up stdlib is compiled modules of encodings/ or the top level', () => {
  assert.ok(STARTUP_STDLIB.length > 0);
  assert.ok(STARTUP_STDLIB.includes('encodings/__init__.pyc'));
  for (const file of STARTUP_STDLIB) {
    assert.match(file, /^(encodings\/)?[A-Za-z_]\w*\.pyc$/, file);
  }
  assert.equal(new Set(STARTUP_STDLIB).size, STARTUP_STDLIB.length);
  // Each is a real stdlib module (checked against this machine's CPython where there is one).
  const stdlib = '/usr/lib/python3.11';
  if (existsSync(join(stdlib, 'encodings'))) {
    for (const file of STARTUP_STDLIB) assert.ok(existsSync(join(stdlib, file.slice(0, -1))), `${file}: no ${file.slice(0, -1)} in ${stdlib}`);
  }
});
