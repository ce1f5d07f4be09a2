import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, test } from 'node:test';
import { PybinError } from '../../../src/plumbing/errors.js';
import type { Progress } from '../../../src/plumbing/progress.js';
import type { RetryPolicy } from '../../../src/plumbing/http.js';
import { downloadToolchain, fetchManifest } from '../../../src/toolchain/fetch-toolchain.js';
import { findManifestEntry, parseManifest, type Manifest, type ManifestEntry } from '../../../src/toolchain/manifest.js';
import { packToolchain } from '../../../src/toolchain/pack.js';
import { planToolchain } from '../../../src/toolchain/plan.js';
import { selectPython } from '../../../src/toolchain/versions.js';
import { targetByTriple } from '../../../src/toolchain/targets.js';
import { startManifestServer, unreachableUrl, type ManifestServer } from '../../support/manifest-server.js';
import { EXPECTED, FILE_NAME, identity, makeToolchain } from '../../support/mini-toolchain.js';

const work = mkdtempSync(join(tmpdir(), 'pybin-manifest-'));
const fast: RetryPolicy = { delaysMs: [5, 5], stallTimeoutMs: 2_000 };

function recordingProgress(): Progress & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (m) => void lines.push(m),
    warn: (m) => void lines.push(`warning: ${m}`),
    stage: (_label, run) => run(),
  };
}

/** A manifest as toolchains.yml writes it (its jq step merges the packed entries). */
const manifestOf = (...toolchains: ManifestEntry[]): Manifest => ({ schema: 1, toolchains });

let server: ManifestServer;
let packed: ManifestEntry;
let archiveBytes: Buffer;

before(async () => {
  server = await startManifestServer();
  const source = makeToolchain(join(work, 'source'));
  packed = await packToolchain(source, join(work, 'dist'), `${server.base}/releases/`);
  archiveBytes = readFileSync(join(work, 'dist', FILE_NAME));
  server.serve(`/releases/${FILE_NAME}`, archiveBytes);
});
after(() => server.close());

test('a toolchain from the manifest is downloaded, verified and placed with its modes', async () => {
  server.serve('/manifest.json', manifestOf(packed));
  const entries = await fetchManifest(`${server.base}/manifest.json`, recordingProgress(), fast);
  const entry = findManifestEntry(entries, identity);
  assert.deepEqual(entry, packed);

  const finalDir = join(work, 'cache-good', 'toolchains', 'cpython');
  await downloadToolchain(entry!, finalDir, recordingProgress(), fast);
  const source = join(work, 'source');
  for (const { name, mode, type } of EXPECTED) {
    const path = join(finalDir, name);
    if (type === '5') assert.ok(statSync(path).isDirectory(), name);
    else if (type === '2') assert.equal(readlinkSync(path), readlinkSync(join(source, name)));
    else {
      assert.deepEqual(readFileSync(path), readFileSync(join(source, name)), name);
      assert.equal(statSync(path).mode & 0o777, mode, name);
    }
  }
  assert.deepEqual(readdirSync(join(work, 'cache-good', 'toolchains')), ['cpython'], 'no temp dir, archive or lock left');
});

test('a checksum mismatch is refused before unpacking, naming url, expected and actual', async () => {
  const wrong = '0'.repeat(64);
  const parent = join(work, 'cache-mismatch');
  const finalDir = join(parent, 'cpython');
  await assert.rejects(downloadToolchain({ ...packed, sha256: wrong }, finalDir, recordingProgress(), fast), (e: Error) => {
    assert.ok(e instanceof PybinError);
    assert.equal(e.input, 'manifest-url');
    assert.match(e.message, /^checksum mismatch for toolchain /);
    for (const part of [packed.url, wrong, packed.sha256]) assert.ok(e.message.includes(part), `${part} in: ${e.message}`);
    return true;
  });
  assert.equal(existsSync(finalDir), false);
  assert.deepEqual(readdirSync(parent), [], 'no temp dir, archive or lock left');

  // Not a tar.gz at all: had it been unpacked first, tar would have failed first.
  server.serve('/releases/garbage.tar.gz', 'garbage');
  await assert.rejects(
    downloadToolchain({ ...packed, url: `${server.base}/releases/garbage.tar.gz` }, finalDir, recordingProgress(), fast),
    /^PybinError: checksum mismatch for toolchain .*garbage\.tar\.gz: expected sha256 [0-9a-f]{64}, got [0-9a-f]{64} \(got 7 bytes, the manifest says \d+\)\. The file was not unpacked\.$/,
  );
  assert.deepEqual(readdirSync(parent), []);
});

test('an archive that is another toolchain than its entry says is refused', async () => {
  const other = { ...packed, recipeHash: 'b'.repeat(64) };
  const finalDir = join(work, 'cache-identity', 'cpython');
  await assert.rejects(
    downloadToolchain(other, finalDir, recordingProgress(), fast),
    /is CPython 3\.13\.5 for x86_64-linux-musl from recipe a{64}, but its manifest entry promises .* from recipe b{64}/,
  );
  assert.deepEqual(readdirSync(join(work, 'cache-identity')), []);
});

test('a 500, a dropped connection and a stall are retried; the warnings say so', async () => {
  const path = `/releases/${FILE_NAME}`;
  const before = server.requests.length;
  server.failNext(path, 1, 500);
  server.failNext(path, 1, 'reset');
  server.failNext(path, 1, 'stall');
  const progress = recordingProgress();
  const finalDir = join(work, 'cache-flaky', 'cpython');
  await downloadToolchain(packed, finalDir, progress, { delaysMs: [5, 5, 5], stallTimeoutMs: 200 });
  assert.deepEqual(server.requests.slice(before).map((r) => r.outcome), [500, 'reset', 'stall', 200]);
  assert.ok(existsSync(join(finalDir, 'bin', 'pybin-launcher')));
  assert.equal(progress.lines.length, 3);
  assert.match(progress.lines[0]!, /HTTP 500.*retrying in 0\.0s \(attempt 2 of 4\)/);
  assert.match(progress.lines[2]!, /no data for 0\.2s/);
});

test('a 4xx is not retried; retries end after the last attempt', async () => {
  await assert.rejects(
    downloadToolchain({ ...packed, url: `${server.base}/releases/gone.tar.gz` }, join(work, 'cache-404', 'x'), recordingProgress(), fast),
    /cannot download toolchain gone\.tar\.gz from http:\/\/127\.0\.0\.1:\d+\/releases\/gone\.tar\.gz: HTTP 404 Not Found$/,
  );
  assert.equal(server.hits('/releases/gone.tar.gz'), 1);

  server.failNext('/always-down.json', 10, 503);
  await assert.rejects(fetchManifest(`${server.base}/always-down.json`, recordingProgress(), fast), /HTTP 503 .*; gave up after 3 attempts/);
  assert.equal(server.hits('/always-down.json'), 3);
});

test('an unreachable manifest server is a clear error naming the URL and the cause', async () => {
  const url = await unreachableUrl('/manifest.json');
  await assert.rejects(fetchManifest(url, recordingProgress(), fast), (e: Error) => {
    assert.ok(e instanceof PybinError);
    assert.equal(e.input, 'manifest-url');
    assert.ok(e.message.startsWith(`cannot fetch the toolchain manifest ${url}: `), e.message);
    assert.match(e.message, /ECONNREFUSED.*; gave up after 3 attempts\. Check the manifest-url input\.$/);
    return true;
  });
});

test('a manifest with a bad field names the manifest and the field', async () => {
  const bad = { schema: 1, toolchains: [{ ...packed, sha256: 'not-a-hash' }] };
  server.serve('/bad.json', bad);
  const url = `${server.base}/bad.json`;
  await assert.rejects(fetchManifest(url, recordingProgress(), fast), (e: Error) => {
    assert.ok(e instanceof PybinError);
    assert.equal(e.input, 'manifest-url');
    assert.equal(e.message, `toolchain manifest ${url}: toolchains[0].sha256 must be 64 hex digits, got "not-a-hash"`);
    return true;
  });

  const src = 'https://example.invalid/m.json';
  assert.throws(() => parseManifest({ schema: 2, toolchains: [] }, src), /m\.json: "schema" is 2, but this pybin reads schema 1/);
  assert.throws(() => parseManifest({ schema: 1 }, src), /"toolchains" must be an array/);
  assert.throws(() => parseManifest({ schema: 1, toolchains: [{ ...packed, url: 'releases/x.tar.gz' }] }, src), /toolchains\[0\]\.url must be an absolute/);
  assert.throws(() => parseManifest({ schema: 1, toolchains: [{ ...packed, size: -1 }] }, src), /toolchains\[0\]\.size/);
  const { python: _python, ...noPython } = packed;
  assert.throws(() => parseManifest({ schema: 1, toolchains: [noPython] }, src), /toolchains\[0\]\.python must be .*, got nothing/);

  server.serve('/not-json.json', '{ "schema": 1,');
  await assert.rejects(fetchManifest(`${server.base}/not-json.json`, recordingProgress(), fast), /not-json\.json is not valid JSON/);
});

test('a manifest can be a local file', async () => {
  const file = join(work, 'manifest.json');
  writeFileSync(file, JSON.stringify(manifestOf(packed)));
  assert.deepEqual(await fetchManifest(file, recordingProgress(), fast), [packed]);
  await assert.rejects(fetchManifest(join(work, 'missing.json'), recordingProgress(), fast), /cannot fetch the toolchain manifest .*missing\.json: ENOENT/);
});

test('findManifestEntry matches python, target and recipe hash exactly', () => {
  const entries = [packed];
  assert.equal(findManifestEntry(entries, identity), packed);
  assert.equal(findManifestEntry(entries, { ...identity, recipeHash: 'b'.repeat(64) }), undefined);
  assert.equal(findManifestEntry(entries, { ...identity, target: 'aarch64-linux-musl' }), undefined);
  assert.equal(findManifestEntry(entries, { ...identity, python: '3.13.4' }), undefined);
});

test('a packed entry names its tar.gz, and the mini toolchain keeps its symlink', () => {
  assert.equal(basename(new URL(packed.url).pathname), FILE_NAME);
  assert.ok(lstatSync(join(work, 'source', 'bin', 'python')).isSymbolicLink());
});

test('one manifest holds both architectures: the entry is picked by target, with a recipe hash that does not depend on the build host', () => {
  const x86 = planToolchain({ python: selectPython('3.13'), target: targetByTriple('x86_64-linux-musl') });
  const arm = planToolchain({ python: selectPython('3.13'), target: targetByTriple('aarch64-linux-musl') });
  assert.notEqual(x86.recipeHash, arm.recipeHash);
  const entry = (plan: typeof x86): ManifestEntry => ({
    python: plan.recipe.version, target: plan.target.triple, recipeHash: plan.recipeHash, url: `https://example.invalid/${plan.target.triple}.tar.gz`, sha256: 'a'.repeat(64),
  });
  const entries = parseManifest(manifestOf(entry(x86), entry(arm)), 'manifest.json');
  const wanted = { python: arm.recipe.version, target: 'aarch64-linux-musl', recipeHash: arm.recipeHash };
  assert.equal(findManifestEntry(entries, wanted)?.url, 'https://example.invalid/aarch64-linux-musl.tar.gz');
  // The cross build's data (compiler, CONFIG_SITE) is not in the recipe hash: a native ARM build has the same.
  const native = planToolchain({ python: selectPython('3.13'), target: { ...targetByTriple('aarch64-linux-musl'), cross: undefined } });
  assert.equal(native.recipeHash, arm.recipeHash);
});
