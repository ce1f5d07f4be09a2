import assert from 'node:assert/strict';
import { chmodSync, cpSync, rmSync, symlinkSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { contentDigest, contentProblem, recordContent } from '../../../src/toolchain/content.js';
import { makeToolchain } from '../../support/mini-toolchain.js';
import { tempDir } from '../../support/tmp.js';

test('the content digest follows contents, names, links and executable bits, not times or other mode bits', () => {
  const dir = makeToolchain(join(tempDir('content'), 'tc'));
  const digest = contentDigest(dir);
  const copy = join(tempDir('content'), 'copy');
  cpSync(dir, copy, { recursive: true, verbatimSymlinks: true });
  utimesSync(join(copy, 'lib', 'python3.13', 'os.pyc'), new Date('2031-01-01'), new Date('2031-01-01'));
  chmodSync(join(copy, 'lib', 'python3.13', 'os.pyc'), 0o644); // 0600 before: not executable either way
  assert.equal(contentDigest(copy), digest, 'times and non-executable modes do not count');

  const changed = (what: string, change: (root: string) => void) => {
    const other = join(tempDir('content'), what);
    cpSync(dir, other, { recursive: true, verbatimSymlinks: true });
    change(other);
    assert.notEqual(contentDigest(other), digest, what);
    assert.match(contentProblem(other) ?? '', /contents changed since it was made/, what);
  };
  changed('an edited launcher', (root) => writeFileSync(join(root, 'bin', 'pybin-launcher'), 'planted'));
  changed('a pruned file', (root) => unlinkSync(join(root, 'lib', 'python3.13', 'os.pyc')));
  changed('an added file', (root) => writeFileSync(join(root, 'lib', 'python3.13', 'sitecustomize.py'), 'import os'));
  changed('a retargeted link', (root) => {
    unlinkSync(join(root, 'bin', 'python'));
    symlinkSync('/bin/sh', join(root, 'bin', 'python'));
  });
  changed('an executable bit', (root) => chmodSync(join(root, 'licenses', 'openssl-3.5.7.txt'), 0o755));
});

test('a toolchain without a record, or not the pinned one, is not used', () => {
  const dir = makeToolchain(join(tempDir('content'), 'tc'));
  assert.equal(contentProblem(dir), undefined);
  assert.equal(contentProblem(dir, contentDigest(dir)), undefined);
  assert.match(contentProblem(dir, '0'.repeat(64)) ?? '', /is not the pinned 0{16}/);
  rmSync(join(dir, 'pybin-content.sha256'));
  assert.match(contentProblem(dir) ?? '', /has no pybin-content\.sha256/);
  assert.equal(recordContent(dir), contentDigest(dir));
});
