import assert from 'node:assert/strict';
import { test } from 'node:test';
import { importsToCheck, moduleOf, modulesToTry, staticRefusal } from '../../../../src/bundle/compiled/static.js';

test('a compiled file names the module it provides', () => {
  assert.equal(moduleOf('yaml/_yaml.cpython-311-x86_64-linux-gnu.so'), 'yaml._yaml');
  assert.equal(moduleOf('pytokens/__init__.cpython-311-x86_64-linux-gnu.so'), 'pytokens');
  assert.equal(moduleOf('_cffi_backend.cpython-311-x86_64-linux-gnu.so'), '_cffi_backend');
  assert.equal(moduleOf('wcwidth/_table.abi3.so'), 'wcwidth._table');
});

test('what must import without the compiled modules: the package around each, a top-level module itself, never mypyc runtime', () => {
  assert.deepEqual(
    importsToCheck([
      'markupsafe/_speedups.cpython-311-x86_64-linux-gnu.so',
      'black/linegen.cpython-311-x86_64-linux-gnu.so',
      'blib2to3/pgen2/parse.cpython-311-x86_64-linux-gnu.so',
      '30fcd23745efe32ce681__mypyc.cpython-311-x86_64-linux-gnu.so',
      '_cffi_backend.cpython-311-x86_64-linux-gnu.so',
    ]),
    ['_cffi_backend', 'black', 'blib2to3.pgen2', 'markupsafe'],
  );
  // A package's own compiled __init__: the package must import without it.
  assert.deepEqual(importsToCheck(['pytokens/__init__.cpython-311-x86_64-linux-gnu.so']), ['pytokens']);
});

test('the modules tried without the compiled ones: those of the same top-level packages, never tests or __main__', () => {
  const dist = {
    files: ['yaml/_yaml.cpython-311-x86_64-linux-gnu.so'],
    sources: ['yaml/__init__.py', 'yaml/cyaml.py', 'yaml/tests/test_x.py', 'yaml/__main__.py', '_yaml/__init__.py', 'other/mod.py'],
  };
  assert.deepEqual(modulesToTry(dist), ['yaml', 'yaml.cyaml']);
});

test('the refusal points at the glibc target, and at the machine to build it on when it cannot be built here', () => {
  const verdict = { warnings: [], needed: [{ name: 'orjson', description: '  orjson: orjson/orjson.so' }] };
  assert.match(staticRefusal(verdict, 'x86_64-linux-musl', 'x86_64-linux-gnu').message, /Use --target x86_64-linux-gnu \(or auto, the default\), which loads them/);
  const cross = staticRefusal(verdict, 'aarch64-linux-musl', 'aarch64-linux-gnu', 'an aarch64 machine (GitHub\'s ubuntu-24.04-arm runner)');
  assert.match(cross.message, /Use --target aarch64-linux-gnu on an aarch64 machine \(GitHub's ubuntu-24\.04-arm runner\), which loads them/);
  assert.equal(cross.input, 'target');
});
