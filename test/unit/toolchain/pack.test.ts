import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, symlinkSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { before, test } from 'node:test';
import { contentDigest, recordContent } from '../../../src/toolchain/content.js';
import { packToolchain } from '../../../src/toolchain/pack.js';
import type { ManifestEntry } from '../../../src/toolchain/manifest.js';
import { EXPECTED, FILE_NAME, identity, makeToolchain } from '../../support/mini-toolchain.js';
import { sha256 } from '../../../src/plumbing/hash.js';

const work = mkdtempSync(join(tmpdir(), 'pybin-pack-'));
const URL_BASE = 'https://example.invalid/releases';
const DOS_EPOCH = Date.UTC(1980, 0, 1) / 1000;

/** The ustar headers of a tar.gz, read by hand so the test does not trust the code under test. */
function tarHeaders(tgz: Buffer) {
  const tar = gunzipSync(tgz);
  const headers = [];
  for (let offset = 0; offset + 512 <= tar.length; ) {
    const h = tar.subarray(offset, offset + 512);
    if (h.every((b) => b === 0)) break;
    const text = (from: number, to: number) => h.subarray(from, to).toString('latin1').replace(/\0[\s\S]*$/, '');
    const octal = (from: number, to: number) => parseInt(text(from, to).trim() || '0', 8);
    const prefix = text(345, 500);
    const size = octal(124, 136);
    headers.push({
      name: prefix ? `${prefix}/${text(0, 100)}` : text(0, 100),
      mode: octal(100, 108),
      uid: octal(108, 116),
      gid: octal(116, 124),
      mtime: octal(136, 148),
      type: text(156, 157),
      linkname: text(157, 257),
      uname: text(265, 297),
      gname: text(297, 329),
    });
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return headers;
}


let packed: ManifestEntry;
let archiveBytes: Buffer;

before(async () => {
  const source = makeToolchain(join(work, 'source'));
  packed = await packToolchain(source, join(work, 'dist'), `${URL_BASE}/`);
  archiveBytes = readFileSync(join(work, 'dist', FILE_NAME));
});

test('packing is deterministic: same contents, other mtimes, same bytes', async () => {
  assert.deepEqual(packed, {
    ...identity,
    url: `${URL_BASE}/${FILE_NAME}`,
    sha256: sha256(archiveBytes),
    size: archiveBytes.length,
    content: contentDigest(join(work, 'source')),
  });

  const source = join(work, 'source');
  for (const path of ['bin/pybin-launcher', 'lib/python3.13/os.pyc', 'pybin-toolchain.json', 'lib', '.']) {
    utimesSync(join(source, path), new Date('2031-05-06T07:08:09Z'), new Date('2031-05-06T07:08:09Z'));
  }
  const again = await packToolchain(source, join(work, 'dist-again'), URL_BASE);
  assert.deepEqual(readFileSync(join(work, 'dist-again', FILE_NAME)), archiveBytes);
  assert.equal(again.sha256, packed.sha256);
  assert.deepEqual(readdirSync(join(work, 'dist-again')), [FILE_NAME], 'no partial file left beside it');

  const headers = tarHeaders(archiveBytes);
  assert.deepEqual(headers.map(({ name, mode, type }) => ({ name, mode, type })), EXPECTED);
  for (const h of headers) {
    assert.deepEqual([h.uid, h.gid, h.uname, h.gname, h.mtime], [0, 0, '', '', DOS_EPOCH], h.name);
  }
  assert.equal(headers.find((h) => h.name === 'bin/python')?.linkname, 'python3');
});

test('SOURCE_DATE_EPOCH sets the archive mtime', async () => {
  process.env.SOURCE_DATE_EPOCH = '1700000000';
  try {
    await packToolchain(join(work, 'source'), join(work, 'dist-epoch'), 'https://example.invalid');
  } finally {
    delete process.env.SOURCE_DATE_EPOCH;
  }
  const headers = tarHeaders(readFileSync(join(work, 'dist-epoch', FILE_NAME)));
  assert.deepEqual([...new Set(headers.map((h) => h.mtime))], [1_700_000_000]);
});

test('a symlink leading out of the toolchain is not packed', async () => {
  const dir = makeToolchain(join(work, 'escaping'));
  symlinkSync('/etc/passwd', join(dir, 'lib', 'passwd'));
  recordContent(dir); // as if it had been built so: the link is what is refused
  await assert.rejects(packToolchain(dir, join(work, 'dist-escaping'), 'https://example.invalid'), /cannot pack .*lib\/passwd: it links to \/etc\/passwd, outside the toolchain/);
  assert.deepEqual(readdirSync(join(work, 'dist-escaping')), []);
});
