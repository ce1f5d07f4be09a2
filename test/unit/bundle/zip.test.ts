import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { directoriesOf, writeDeterministicZip } from '../../../src/bundle/zip.js';
import { fixedZipDate } from '../../../src/plumbing/timestamps.js';

const dir = mkdtempSync(join(tmpdir(), 'pybin-zip-'));
const entries = (order: number[]) =>
  order.map((i) => [{ name: 'pkg/__init__.pyc', data: Buffer.from('init') }, { name: 'pkg/data/a.txt', data: Buffer.from('a'.repeat(1000)) }, { name: '__main__.pyc', data: Buffer.from('main') }][i]!);

test('the same entries in any order give the same bytes, with explicit directories and fixed times', async () => {
  await writeDeterministicZip(entries([0, 1, 2]), join(dir, 'a.zip'), 'deflate');
  await new Promise((r) => setTimeout(r, 1100)); // a later wall clock must not matter
  await writeDeterministicZip(entries([2, 1, 0]), join(dir, 'b.zip'), 'deflate');
  assert.deepEqual(readFileSync(join(dir, 'a.zip')), readFileSync(join(dir, 'b.zip')));
  const listing = execFileSync('python3', ['-c', `
import sys, zipfile
for i in zipfile.ZipFile(sys.argv[1]).infolist():
    print(i.filename, i.date_time, oct(i.external_attr >> 16), i.compress_type)`, join(dir, 'a.zip')], { encoding: 'utf8' });
  assert.deepEqual(listing.trim().split('\n').map((l) => l.split(' ')[0]), ['__main__.pyc', 'pkg/', 'pkg/__init__.pyc', 'pkg/data/', 'pkg/data/a.txt']);
  assert.ok(listing.includes('(1980, 1, 1, 0, 0, 0)'));
  assert.match(listing, /pkg\/ .* 0o40755 /);
  assert.match(listing, /a\.txt .* 0o100644 8/);
});

test('store writes uncompressed entries; SOURCE_DATE_EPOCH sets the timestamp', async () => {
  await writeDeterministicZip(entries([1]), join(dir, 'c.zip'), 'store', fixedZipDate({ SOURCE_DATE_EPOCH: '1700000000' }));
  const listing = execFileSync('python3', ['-c', 'import sys, zipfile; i = zipfile.ZipFile(sys.argv[1]).getinfo("pkg/data/a.txt"); print(i.compress_type, i.date_time[:3])', join(dir, 'c.zip')], { encoding: 'utf8' });
  assert.equal(listing.trim(), '0 (2023, 11, 14)');
  assert.deepEqual(directoriesOf(['a/b/c.txt', 'a/d.txt']).sort(), ['a/', 'a/b/']);
});
