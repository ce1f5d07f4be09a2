import assert from 'node:assert/strict';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { RetryPolicy } from '../../../src/plumbing/http.js';
import type { Progress } from '../../../src/plumbing/progress.js';
import { contentDigest, recordContent } from '../../../src/toolchain/content.js';
import { downloadToolchain, fetchManifest } from '../../../src/toolchain/fetch-toolchain.js';
import type { ManifestEntry } from '../../../src/toolchain/manifest.js';
import { packToolchain } from '../../../src/toolchain/pack.js';
import { planToolchain } from '../../../src/toolchain/plan.js';
import { resolveInterpreter, type InterpreterCache } from '../../../src/toolchain/resolve.js';
import { hostTarget } from '../../../src/toolchain/targets.js';
import { selectPython } from '../../../src/toolchain/versions.js';
import { startManifestServer, type ManifestServer } from '../../support/manifest-server.js';
import { FILE_NAME, makeToolchain } from '../../support/mini-toolchain.js';
import { tempDir } from '../../support/tmp.js';

/**
 * What pybin takes from the network and from caches is checked before use:
 * an attacker who swaps a redirect, a manifest entry, an archive or a cached
 * toolchain gets nothing into a binary.
 */
const fast: RetryPolicy = { delaysMs: [5], stallTimeoutMs: 2_000 };
const quiet = (): Progress & { lines: string[] } => {
  const lines: string[] = [];
  return { lines, info: (m) => void lines.push(m), warn: (m) => void lines.push(`warning: ${m}`), stage: (_l, run) => run() };
};

let server: ManifestServer;
let packed: ManifestEntry;
let genuineLauncher: Buffer;
before(async () => {
  server = await startManifestServer();
  const source = makeToolchain(join(tempDir('trust'), 'source'));
  genuineLauncher = readFileSync(join(source, 'bin', 'pybin-launcher'));
  const dist = tempDir('trust-dist');
  packed = await packToolchain(source, dist, `${server.base}/files`);
  server.serve(`/files/${FILE_NAME}`, readFileSync(join(dist, FILE_NAME)));
});
after(() => server.close());

const fresh = () => join(tempDir('trust-cache'), 'toolchains', 'fetched');

test('a redirect off https (plain http to another machine) is refused without following it', async () => {
  server.redirect('/moved.json', 'http://example.invalid/manifest.json');
  await assert.rejects(fetchManifest(`${server.base}/moved.json`, quiet(), fast), /redirects to http:\/\/example\.invalid\/manifest\.json, which is not https: refused/);
  // GitHub's own redirect to its storage stays allowed (here: loopback to loopback).
  server.redirect(`/redirected/${FILE_NAME}`, `${server.base}/files/${FILE_NAME}`);
  const dir = fresh();
  await downloadToolchain({ ...packed, url: `${server.base}/redirected/${FILE_NAME}` }, dir, quiet(), fast, undefined);
  assert.deepEqual(readFileSync(join(dir, 'bin', 'pybin-launcher')), genuineLauncher);
});

test('plain http manifests off this machine are refused before any request', async () => {
  await assert.rejects(fetchManifest('http://example.invalid/manifest.json', quiet(), fast), /only https URLs, file URLs and paths are supported/);
});

test('a download larger than its entry says is stopped, and nothing is unpacked', async () => {
  const dir = fresh();
  await assert.rejects(downloadToolchain({ ...packed, size: 100 }, dir, quiet(), fast, undefined), /more than the 100 bytes expected: stopped/);
  assert.ok(!existsSync(dir));
});

test('an archive that does not unpack to the content its entry or this release pins is refused', async () => {
  const dir = fresh();
  await assert.rejects(downloadToolchain({ ...packed, content: '1'.repeat(64) }, dir, quiet(), fast, undefined), /does not unpack to what was packed: .*is not the pinned 1{16}/);
  assert.ok(!existsSync(dir));
  const pin = { python: packed.python, target: packed.target, recipeHash: packed.recipeHash, sha256: '2'.repeat(64), content: packed.content! };
  await assert.rejects(downloadToolchain(packed, fresh(), quiet(), fast, pin), /the manifest says sha256 [0-9a-f]{64}, but this release of pybin pins 2{64}; not using it/);
});

test('a fetched toolchain edited in the cache is fetched again, saying so', async () => {
  const dir = fresh();
  assert.equal(await downloadToolchain(packed, dir, quiet(), fast, undefined), false);
  writeFileSync(join(dir, 'bin', 'pybin-launcher'), 'planted launcher');
  const progress = quiet();
  assert.equal(await downloadToolchain(packed, dir, progress, fast, undefined), false, 'downloaded again, not a hit');
  assert.match(progress.lines.join('\n'), /warning: the downloaded toolchain in .* cannot be used \(its contents changed since it was made.*\): downloading it again/);
  assert.deepEqual(readFileSync(join(dir, 'bin', 'pybin-launcher')), genuineLauncher);
});

/** A prebuilt toolchain of exactly the plan of CPython 3.13 for this host, served with its manifest at /planned.json (once per file). */
let planned: Promise<{ source: string; entry: ManifestEntry }> | undefined;
function servePlanned(): Promise<{ source: string; entry: ManifestEntry }> {
  planned ??= (async () => {
    const plan = planToolchain({ python: selectPython('3.13'), target: hostTarget() });
    const source = makeToolchain(join(tempDir('trust'), 'planned'));
    const identity = { python: plan.recipe.version, target: plan.target.triple, recipeHash: plan.recipeHash };
    writeFileSync(join(source, 'pybin-toolchain.json'), JSON.stringify({ ...identity, launcher: 'bin/pybin-launcher', stdlib: 'lib/python3.13', pipWheel: 'lib/wheels/pip.whl' }));
    recordContent(source);
    const dist = tempDir('trust-dist');
    const entry = await packToolchain(source, dist, `${server.base}/planned`);
    const file = entry.url.split('/').at(-1)!;
    server.serve(`/planned/${file}`, readFileSync(join(dist, file)));
    server.serve('/planned.json', { schema: 1, toolchains: [entry] });
    return { source, entry };
  })();
  return planned;
}

test('a toolchain from a runner cache that was edited never reaches a build: the checked download is used instead', async () => {
  const python = selectPython('3.13');
  const target = hostTarget();
  const { source, entry } = await servePlanned();
  // The runner's cache holds the same toolchain with a planted launcher (its record rewritten too would need a pin to catch: see pins.ts).
  const planted = join(tempDir('trust'), 'planted');
  cpSync(source, planted, { recursive: true, verbatimSymlinks: true });
  writeFileSync(join(planted, 'bin', 'pybin-launcher'), 'planted launcher');
  const saved: string[] = [];
  const cache: InterpreterCache = {
    restore: async () => ({ dir: planted, source: 'tool-cache' }),
    save: async (_plan, dir) => (saved.push(dir), dir),
  };
  const progress = quiet();
  const toolchain = await resolveInterpreter({ python, target, mode: 'fetch', manifestUrl: `${server.base}/planned.json`, cache, cacheDir: tempDir('trust-cache'), progress });
  assert.equal(toolchain.source, 'fetch');
  assert.deepEqual(readFileSync(join(toolchain.dir, 'bin', 'pybin-launcher')), genuineLauncher);
  assert.match(progress.lines.join('\n'), /warning: the tool-cache holds a toolchain for CPython 3\.13\.\d+ on .* that cannot be used \(its contents changed since it was made/);
  assert.equal(saved.length, 1, 'the checked toolchain goes back to the runner cache');
  assert.equal(contentDigest(toolchain.dir), entry.content);
});

test('the Action\'s default manifest serves only what this release pins', async () => {
  const python = selectPython('3.13');
  await assert.rejects(
    resolveInterpreter({ python, target: hostTarget(), mode: 'fetch', manifestUrl: `${server.base}/planned.json`, pinnedOnly: true, cacheDir: tempDir('trust-cache'), progress: quiet() }),
    /this release of pybin pins no prebuilt toolchain for CPython 3\.13\.\d+ on .* so it takes none from its default manifest; give manifest-url/,
  );
});

test('a whole toolchain of another recipe in a runner cache is not taken for this one', async () => {
  const python = selectPython('3.13');
  await servePlanned();
  const other = makeToolchain(join(tempDir('trust'), 'other-recipe')); // intact, but recipe aaaa…
  const cache: InterpreterCache = { restore: async () => ({ dir: other, source: 'actions-cache' }), save: async (_plan, dir) => dir };
  const progress = quiet();
  const toolchain = await resolveInterpreter({ python, target: hostTarget(), mode: 'fetch', manifestUrl: `${server.base}/planned.json`, cache, cacheDir: tempDir('trust-cache'), progress });
  assert.equal(toolchain.source, 'fetch');
  assert.match(progress.lines.join('\n'), /warning: the actions-cache holds a toolchain .* that cannot be used \(it is CPython 3\.13\.5 for x86_64-linux-musl from recipe a{64}\)/);
});
