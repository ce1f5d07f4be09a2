import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { silentProgress } from '../../../src/plumbing/progress.js';
import { listFiles } from '../../../src/plumbing/tree.js';
import type { BuildContext } from '../../../src/toolchain/context.js';
import { ensureLibrary } from '../../../src/toolchain/library.js';
import { LIBRARIES } from '../../../src/toolchain/recipes.js';
import { targetByTriple } from '../../../src/toolchain/targets.js';
import { fetchSource, loadSourceOverrides, resolveSource, unpack } from '../../../src/toolchain/sources.js';
import { spawnSync } from 'node:child_process';
import { sha256 } from '../../../src/plumbing/hash.js';

const work = mkdtempSync(join(tmpdir(), 'pybin-sources-'));

/** A real tar.gz with one top-level directory. */
function makeTarball(name: string): { path: string; sha256: string; bytes: Buffer } {
  const root = join(work, `${name}-src`);
  mkdirSync(join(root, name), { recursive: true });
  writeFileSync(join(root, name, 'hello.txt'), 'hello');
  const path = join(work, `${name}.tar.gz`);
  spawnSync('tar', ['-czf', path, '-C', root, name]);
  const bytes = spawnSync('cat', [path]).stdout;
  return { path, sha256: sha256(bytes), bytes };
}

const good = makeTarball('demo-1.0');
let server: Server;
let base = '';
let flakyHits = 0;

before(async () => {
  server = createServer((req, res) => {
    if (req.url === '/demo.tar.gz') return res.end(good.bytes);
    if (req.url === '/flaky.tar.gz') {
      flakyHits++;
      if (flakyHits === 1) return res.writeHead(500).end('try later');
      return res.end(good.bytes);
    }
    res.writeHead(404).end('no');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());

test('overrides are validated and relative paths resolve against the file', () => {
  const file = join(work, 'sources.json');
  writeFileSync(file, JSON.stringify({ 'zlib-1.3.1': { path: 'z.tar.gz', sha256: 'A'.repeat(64) } }));
  assert.deepEqual(loadSourceOverrides(file), { 'zlib-1.3.1': { path: join(work, 'z.tar.gz'), sha256: 'a'.repeat(64) } });
  const source = resolveSource('zlib', LIBRARIES.zlib, loadSourceOverrides(file));
  assert.equal(source.id, 'zlib-1.3.1');
  assert.equal(source.sha256, 'a'.repeat(64));
  assert.equal(resolveSource('xz', LIBRARIES.xz, {}).url, LIBRARIES.xz.url);

  writeFileSync(file, JSON.stringify({ 'zlib-1.3.1': { path: 'z', url: 'http://x', sha256: 'a'.repeat(64) } }));
  assert.throws(() => loadSourceOverrides(file), /"zlib-1\.3\.1" needs exactly one of "url" or "path"/);
  writeFileSync(file, JSON.stringify({ 'zlib-1.3.1': { path: 'z' } }));
  assert.throws(() => loadSourceOverrides(file), /needs a "sha256" of 64 hex digits/);
  writeFileSync(file, '{ not json');
  assert.throws(() => loadSourceOverrides(file), /cannot read it as JSON/);
});

test('a local tarball is verified, then unpacked', async () => {
  const source = { id: 'demo-1.0', version: '1.0', path: good.path, sha256: good.sha256 };
  const archive = await fetchSource(source, join(work, 'cache1'), silentProgress);
  const top = await unpack(archive, join(work, 'unpacked1'), join(work, 'unpack.log'));
  assert.ok(existsSync(join(top, 'hello.txt')));
});

test('a checksum mismatch names the file and both hashes, and nothing is unpacked', async () => {
  const wrong = 'f'.repeat(64);
  await assert.rejects(
    fetchSource({ id: 'demo-1.0', version: '1.0', path: good.path, sha256: wrong }, join(work, 'cache2'), silentProgress),
    (e: Error) => e.message.includes(good.path) && e.message.includes(wrong) && e.message.includes(good.sha256),
  );
  assert.ok(!existsSync(join(work, 'cache2')), 'a local tarball is read where it is: nothing is written');

  // A library build unpacks what fetchSource returns: the mismatch stops it before that. Unpacking would
  // leave its log under logs/ (the scratch dir it unpacks into is removed), and the tarball's hello.txt.
  const cacheDir = join(work, 'cache-build');
  const ctx = { cacheDir, target: targetByTriple('x86_64-linux-musl'), compiler: { identity: 'cc 1' }, jobs: 1, progress: silentProgress } as unknown as BuildContext;
  await assert.rejects(
    ensureLibrary(ctx, LIBRARIES.zlib, { id: 'zlib-1.3.1', version: '1.3.1', path: good.path, sha256: wrong }),
    /checksum mismatch for zlib-1\.3\.1 .*The file was not unpacked/,
  );
  assert.ok(existsSync(cacheDir), 'the build got as far as the cache');
  assert.ok(!existsSync(join(cacheDir, 'logs')) && !existsSync(join(cacheDir, 'scratch')), 'no build step ran, unpacking included');
  assert.deepEqual(listFiles(cacheDir).filter((f) => f.endsWith('hello.txt')), [], 'nothing of the tarball is in the cache');
});

test('a missing tarball says which component and path', async () => {
  await assert.rejects(
    fetchSource({ id: 'openssl-3.5.7', version: '3.5.7', path: join(work, 'nope.tar.gz'), sha256: good.sha256 }, work, silentProgress),
    /missing source tarball for openssl-3\.5\.7: .*nope\.tar\.gz does not exist/,
  );
});

test('downloads are cached by hash, retried after a 500, and refused on mismatch', async () => {
  const cache = join(work, 'cache3');
  const file = await fetchSource({ id: 'demo-1.0', version: '1.0', url: `${base}/demo.tar.gz`, sha256: good.sha256 }, cache, silentProgress);
  assert.equal(file, join(cache, 'sources', good.sha256, 'demo.tar.gz'));

  const flaky = await fetchSource({ id: 'flaky-1.0', version: '1.0', url: `${base}/flaky.tar.gz`, sha256: good.sha256 }, join(work, 'cache4'), silentProgress);
  assert.equal(flakyHits, 2);
  assert.ok(existsSync(flaky));

  const wrong = 'e'.repeat(64);
  await assert.rejects(
    fetchSource({ id: 'demo-1.0', version: '1.0', url: `${base}/demo.tar.gz`, sha256: wrong }, join(work, 'cache5'), silentProgress),
    /checksum mismatch for demo-1\.0/,
  );
  assert.deepEqual(readdirSync(join(work, 'cache5', 'sources', wrong)), [], 'no partial download left behind');

  await assert.rejects(
    fetchSource({ id: 'gone-1.0', version: '1.0', url: `${base}/gone.tar.gz`, sha256: wrong }, join(work, 'cache6'), silentProgress),
    /cannot download gone-1\.0 from .*HTTP 404.*--sources FILE/,
  );
});
