import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { archiveBinary } from '../../../src/publish/archive.js';

const CONTENT = Buffer.from('\x7fELF pretend binary\n'.repeat(500));

/** A fresh dir holding `hello-linux-x86_64`, made non-executable so any 0755 in an archive comes from archiveBinary. */
function binaryIn(mtime = new Date('2024-05-06T07:08:09Z')): string {
  const dir = mkdtempSync(join(tmpdir(), 'pybin-archive-'));
  const binary = join(dir, 'hello-linux-x86_64');
  writeFileSync(binary, CONTENT);
  chmodSync(binary, 0o644);
  utimesSync(binary, mtime, mtime);
  return binary;
}

/** The first header of a tar.gz: name, mode and mtime, as tar stores them (octal fields). */
function tarHeader(file: string) {
  const tar = gunzipSync(readFileSync(file));
  const field = (offset: number, length: number) => tar.subarray(offset, offset + length).toString('latin1').replace(/\0.*$/s, '').trim();
  return { name: field(0, 100), mode: parseInt(field(100, 8), 8), mtime: parseInt(field(136, 12), 8) };
}

async function withSourceDateEpoch<T>(value: string | undefined, run: () => Promise<T>): Promise<T> {
  const saved = process.env.SOURCE_DATE_EPOCH;
  if (value === undefined) delete process.env.SOURCE_DATE_EPOCH;
  else process.env.SOURCE_DATE_EPOCH = value;
  try {
    return await run();
  } finally {
    if (saved === undefined) delete process.env.SOURCE_DATE_EPOCH;
    else process.env.SOURCE_DATE_EPOCH = saved;
  }
}

test('none: the binary itself, and nothing written', async () => {
  const binary = binaryIn();
  const out = mkdtempSync(join(tmpdir(), 'pybin-archive-out-'));
  assert.equal(await archiveBinary(binary, 'none', out), binary);
  assert.deepEqual(readdirSync(out), []);
});

test('tar.gz: the binary at the top, mode 0755, fixed 1980 mtime, nothing else left behind', async () => {
  const binary = binaryIn();
  const out = mkdtempSync(join(tmpdir(), 'pybin-archive-out-'));
  const archive = await withSourceDateEpoch(undefined, () => archiveBinary(binary, 'tar.gz', out));
  assert.equal(archive, join(out, 'hello-linux-x86_64.tar.gz'));
  assert.deepEqual(readdirSync(out), ['hello-linux-x86_64.tar.gz'], 'no temporary file left');

  const listing = execFileSync('tar', ['-tvzf', archive], { encoding: 'utf8' }).trim().split('\n');
  assert.equal(listing.length, 1);
  assert.match(listing[0]!, /^-rwxr-xr-x .* hello-linux-x86_64$/);
  assert.deepEqual(tarHeader(archive), { name: 'hello-linux-x86_64', mode: 0o755, mtime: Date.UTC(1980, 0, 1) / 1000 });

  const extracted = join(out, 'x');
  mkdirSync(extracted);
  execFileSync('tar', ['-xzf', archive, '-C', extracted]);
  assert.deepEqual(readFileSync(join(extracted, 'hello-linux-x86_64')), CONTENT);
  assert.equal(statSync(join(extracted, 'hello-linux-x86_64')).mode & 0o777, 0o755);
});

test('tar.gz: SOURCE_DATE_EPOCH sets the mtime', async () => {
  const archive = await withSourceDateEpoch('1700000000', () => archiveBinary(binaryIn(), 'tar.gz', mkdtempSync(join(tmpdir(), 'pybin-archive-out-'))));
  assert.equal(tarHeader(archive).mtime, 1700000000);
});

test('zip: the binary with unix mode 0755, and unzip restores the executable bit', async () => {
  const binary = binaryIn();
  const out = mkdtempSync(join(tmpdir(), 'pybin-archive-out-'));
  const archive = await archiveBinary(binary, 'zip', out);
  assert.equal(archive, join(out, 'hello-linux-x86_64.zip'));
  assert.deepEqual(readdirSync(out), ['hello-linux-x86_64.zip']);

  const listing = execFileSync('unzip', ['-Z', archive], { encoding: 'utf8' });
  assert.match(listing, /^-rwxr-xr-x .* hello-linux-x86_64$/m);
  assert.match(listing, /1 file/);

  const extracted = join(out, 'x');
  execFileSync('unzip', ['-q', archive, '-d', extracted]);
  assert.deepEqual(readFileSync(join(extracted, 'hello-linux-x86_64')), CONTENT);
  assert.equal(statSync(join(extracted, 'hello-linux-x86_64')).mode & 0o777, 0o755);
});

for (const kind of ['tar.gz', 'zip'] as const) {
  test(`${kind}: byte-identical for the same binary with another mtime`, async () => {
    const [first, second] = await withSourceDateEpoch(undefined, async () => [
      await archiveBinary(binaryIn(new Date('2020-01-01T00:00:00Z')), kind, mkdtempSync(join(tmpdir(), 'pybin-archive-out-'))),
      await archiveBinary(binaryIn(new Date('2025-12-31T23:59:59Z')), kind, mkdtempSync(join(tmpdir(), 'pybin-archive-out-'))),
    ]);
    assert.deepEqual(readFileSync(first!), readFileSync(second!));
  });
}

test('a missing binary rejects and leaves no partial archive', async () => {
  const out = mkdtempSync(join(tmpdir(), 'pybin-archive-out-'));
  await assert.rejects(archiveBinary(join(out, 'absent'), 'tar.gz', out), /ENOENT/);
  assert.deepEqual(readdirSync(out), []);
});
