import assert from 'node:assert/strict';
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fuse } from '../../../src/bundle/fuse.js';
import { tempDir } from '../../support/tmp.js';

test('the executable is the launcher bytes followed by the ZIP bytes, mode 0755', () => {
  const dir = tempDir('fuse');
  const launcher = Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x00, 0xff, 0x0a, 0x0d]);
  const zip = Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(5000, 0xab), Buffer.from('PK\x05\x06')]);
  writeFileSync(join(dir, 'launcher'), launcher);
  writeFileSync(join(dir, 'app.zip'), zip);
  fuse(join(dir, 'launcher'), join(dir, 'app.zip'), join(dir, 'app'));
  assert.deepEqual(readFileSync(join(dir, 'app')), Buffer.concat([launcher, zip]));
  assert.equal(statSync(join(dir, 'app')).mode & 0o777, 0o755);
});

test('an earlier, longer file at the output is replaced whole and made executable', () => {
  const dir = tempDir('fuse');
  writeFileSync(join(dir, 'launcher'), 'L');
  writeFileSync(join(dir, 'app.zip'), 'Z');
  writeFileSync(join(dir, 'app'), 'an older and much longer binary');
  chmodSync(join(dir, 'app'), 0o600);
  fuse(join(dir, 'launcher'), join(dir, 'app.zip'), join(dir, 'app'));
  assert.equal(readFileSync(join(dir, 'app'), 'utf8'), 'LZ');
  assert.equal(statSync(join(dir, 'app')).mode & 0o777, 0o755);
});
