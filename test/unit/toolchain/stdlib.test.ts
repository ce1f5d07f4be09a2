import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { listFiles } from '../../../src/plumbing/tree.js';
import { copySourcelessTree } from '../../../src/toolchain/stdlib.js';

test('copySourcelessTree keeps .pyc and data, drops sources, caches and the excluded parts of Lib/ at any depth', () => {
  const from = mkdtempSync(join(tmpdir(), 'pybin-lib-'));
  const files = [
    'os.py', 'os.pyc', 'turtle.py', 'turtle.pyc', 'json/__init__.pyc', 'json/__pycache__/x.pyc',
    'ctypes/__init__.pyc', 'ctypes/test/test_x.pyc', 'unittest/mock.pyc', 'unittest/test/test_case.pyc',
    'test/support.pyc', 'tkinter/__init__.pyc', 'email/architecture.rst', 'wsgiref/test.pyc',
  ];
  for (const file of files) {
    mkdirSync(join(from, file, '..'), { recursive: true });
    writeFileSync(join(from, file), file);
  }
  const to = join(mkdtempSync(join(tmpdir(), 'pybin-stdlib-')), 'lib');
  const copied = copySourcelessTree(from, to);
  const kept = ['ctypes/__init__.pyc', 'email/architecture.rst', 'json/__init__.pyc', 'os.pyc', 'unittest/mock.pyc', 'wsgiref/test.pyc'];
  assert.deepEqual(listFiles(to), kept);
  assert.equal(copied, kept.length);
});
