import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { PybinError } from '../../../src/plumbing/errors.js';
import { createGitHubClient } from '../../../src/publish/octokit.js';
import { publishRelease, type PublishReleaseOptions } from '../../../src/publish/release.js';
import { fastClientSettings, startGitHubServerFor, type GitHubServer } from '../../support/github-server.js';

const repo = { owner: 'octo', repo: 'hello' };
const sha = (c: string) => c.repeat(64);
const sha256Hex = (content: string) => createHash('sha256').update(content).digest('hex');

/** Files of these names and contents in a fresh dir, as paths. */
function files(contents: Record<string, string>): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'pybin-release-'));
  return Object.entries(contents).map(([name, content]) => {
    writeFileSync(join(dir, name), content);
    return join(dir, name);
  });
}

function publish(github: GitHubServer, options: Partial<PublishReleaseOptions> & Pick<PublishReleaseOptions, 'assets'>, warnings: string[] = []) {
  const warn = (message: string) => warnings.push(message);
  return publishRelease({
    octokit: createGitHubClient('test-token', { baseUrl: github.base, warn, ...fastClientSettings() }),
    repo,
    tag: 'v1.0.0',
    draft: false,
    prerelease: false,
    overwrite: false,
    warn,
    ...options,
  });
}

const uploads = (github: GitHubServer) => github.requests.filter((r) => r.method === 'POST' && r.url.startsWith('/uploads/'));
const indexOf = (github: GitHubServer, method: string, url: RegExp) => github.requests.findIndex((r) => r.method === method && url.test(r.url));

test('no release yet: creates a draft, uploads to its upload_url, then publishes it', async (t) => {
  const github = await startGitHubServerFor(t);
  const assets = files({ 'hello-linux-x86_64': 'ELF binary bytes \u00ff', SHA256SUMS: `${sha('a')}  hello-linux-x86_64\n` });

  const result = await publish(github, { assets, prerelease: true, targetCommitish: 'cafe123' });

  assert.equal(result?.created, true);
  assert.equal(result.releaseUrl, 'https://github.com/octo/hello/releases/tag/v1.0.0');
  assert.deepEqual(result.assets, [
    { name: 'hello-linux-x86_64', url: 'https://github.com/octo/hello/releases/download/v1.0.0/hello-linux-x86_64' },
    { name: 'SHA256SUMS', url: 'https://github.com/octo/hello/releases/download/v1.0.0/SHA256SUMS' },
  ]);
  const [release] = github.releases;
  assert.equal(github.releases.length, 1);
  assert.deepEqual({ draft: release!.draft, prerelease: release!.prerelease, target: release!.targetCommitish }, { draft: false, prerelease: true, target: 'cafe123' });
  assert.equal(release!.assets.find((a) => a.name === 'hello-linux-x86_64')?.content.toString(), 'ELF binary bytes \u00ff');

  const create = github.requests.find((r) => r.method === 'POST' && r.url === '/repos/octo/hello/releases');
  assert.equal(JSON.parse(create!.body.toString()).draft, true, 'created as a draft, so nobody sees it half-uploaded');
  const sent = uploads(github).map((u) => ({ url: u.url.replace(/&$/, ''), type: u.headers['content-type'], length: u.headers['content-length'], auth: u.headers.authorization }));
  assert.deepEqual(sent, [
    { url: `/uploads/repos/octo/hello/releases/${release!.id}/assets?name=hello-linux-x86_64`, type: 'application/octet-stream', length: String(Buffer.byteLength('ELF binary bytes \u00ff')), auth: 'token test-token' },
    { url: `/uploads/repos/octo/hello/releases/${release!.id}/assets?name=SHA256SUMS`, type: 'text/plain', length: String(`${sha('a')}  hello-linux-x86_64\n`.length), auth: 'token test-token' },
  ]);
  const published = indexOf(github, 'PATCH', /^\/repos\/octo\/hello\/releases\/\d+$/);
  assert.ok(published > github.requests.indexOf(uploads(github).at(-1)!), 'published after the uploads');
});

test('draft: true leaves the release it creates a draft, and says where it is', async (t) => {
  const github = await startGitHubServerFor(t);
  const warnings: string[] = [];
  const result = await publish(github, { assets: files({ 'hello-linux-x86_64': 'x' }), draft: true }, warnings);
  assert.equal(result?.created, true);
  assert.equal(result.draft, true);
  assert.equal(github.releases[0]?.draft, true);
  assert.match(result.releaseUrl, /\/releases\/tag\/untagged-/);
  assert.equal(indexOf(github, 'PATCH', /releases/), -1);
  assert.deepEqual(warnings, [`release v1.0.0 is left a draft, as draft: true asks: publish it at ${result.releaseUrl}`]);
});

test('a published release for the tag is found by tag and used as it is', async (t) => {
  const github = await startGitHubServerFor(t);
  const existing = github.addRelease({ tag: 'v1.0.0' });
  const result = await publish(github, { assets: files({ 'hello-macos-arm64': 'mach-o' }), draft: true, prerelease: true });
  assert.equal(result?.created, false);
  assert.equal(result.releaseUrl, 'https://github.com/octo/hello/releases/tag/v1.0.0');
  // github.releases[0] is `existing` itself: compare its fields with what addRelease made, not with itself.
  assert.equal(github.releases.length, 1);
  const { assets, ...fields } = github.releases[0]!;
  assert.deepEqual(fields, { id: existing.id, tag: 'v1.0.0', draft: false, prerelease: false, targetCommitish: 'main' }, 'not made a draft nor a prerelease');
  assert.deepEqual(assets.map((a) => a.name), ['hello-macos-arm64']);
  assert.equal(indexOf(github, 'POST', /^\/repos\/octo\/hello\/releases$/), -1, 'nothing created');
  assert.equal(indexOf(github, 'PATCH', /releases/), -1, 'not ours to publish');
});

test('a draft for the tag, which GitHub does not find by tag, is found in the release list and published', async (t) => {
  const github = await startGitHubServerFor(t);
  github.addRelease({ tag: 'v0.9.0' });
  const draft = github.addRelease({ tag: 'v1.0.0', draft: true });
  const warnings: string[] = [];
  const result = await publish(github, { assets: files({ 'hello-linux-x86_64': 'x' }) }, warnings);
  assert.equal(result?.created, false);
  assert.equal(github.releases.length, 2);
  assert.deepEqual(draft.assets.map((a) => a.name), ['hello-linux-x86_64']);
  assert.equal(draft.draft, false, 'whoever finishes its uploads publishes: the draft\'s maker may have failed');
  assert.equal(result.draft, false);
  assert.equal(result.releaseUrl, 'https://github.com/octo/hello/releases/tag/v1.0.0', 'the published page, not the untagged- one');
  assert.deepEqual(result.assets, [{ name: 'hello-linux-x86_64', url: 'https://github.com/octo/hello/releases/download/v1.0.0/hello-linux-x86_64' }]);
  assert.deepEqual(warnings, []);
});

test('with draft: true, a draft found stays a draft, said with its URL', async (t) => {
  const github = await startGitHubServerFor(t);
  const draft = github.addRelease({ tag: 'v1.0.0', draft: true });
  const warnings: string[] = [];
  const result = await publish(github, { assets: files({ 'hello-linux-x86_64': 'x' }), draft: true }, warnings);
  assert.equal(draft.draft, true);
  assert.equal(result?.draft, true);
  assert.deepEqual(warnings, [`release v1.0.0 is left a draft, as draft: true asks: publish it at https://github.com/octo/hello/releases/tag/untagged-${draft.id.toString(16)}`]);
});

test('an asset of the same name: an error naming overwrite, or with overwrite replaced after the 422', async (t) => {
  const github = await startGitHubServerFor(t);
  const release = github.addRelease({ tag: 'v1.0.0' });
  const old = github.addAsset(release, 'hello-linux-x86_64', 'old build');
  const assets = files({ 'hello-linux-x86_64': 'new build' });

  await assert.rejects(publish(github, { assets }), (error: unknown) => {
    assert.ok(error instanceof PybinError);
    assert.equal(error.input, 'overwrite');
    assert.match(error.message, /already has an asset named hello-linux-x86_64, with other content.*overwrite: true/);
    return true;
  });
  assert.equal(release.assets[0]?.content.toString(), 'old build');

  github.requests.length = 0;
  const result = await publish(github, { assets, overwrite: true });
  assert.deepEqual(release.assets.map((a) => [a.name, a.content.toString()]), [['hello-linux-x86_64', 'new build']]);
  assert.deepEqual(result?.assets.map((a) => a.name), ['hello-linux-x86_64']);
  assert.deepEqual(
    github.requests.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.status}`),
    ['POST 422', 'DELETE 204', 'POST 201'],
  );
  assert.ok(github.requests.some((r) => r.method === 'DELETE' && r.url.endsWith(`/releases/assets/${old.id}`)));
});

test("SHA256SUMS is merged with the release's: lines of other files kept, ours replacing theirs", async (t) => {
  const github = await startGitHubServerFor(t);
  const release = github.addRelease({ tag: 'v1.0.0' });
  github.addAsset(release, 'hello-macos-arm64', 'mach-o');
  github.addAsset(release, 'SHA256SUMS', `${sha('b')}  hello-macos-arm64\n${sha('0')}  hello-linux-x86_64\n`);

  // Without overwrite: SHA256SUMS is everyone's, so it is never a clash.
  await publish(github, { assets: files({ 'hello-linux-x86_64': 'elf', SHA256SUMS: `${sha('a')}  hello-linux-x86_64\n` }) });

  const sums = release.assets.filter((a) => a.name === 'SHA256SUMS');
  assert.equal(sums.length, 1);
  assert.equal(sums[0]!.content.toString(), `${sha('a')}  hello-linux-x86_64\n${sha('b')}  hello-macos-arm64\n`);
  assert.equal(sums[0]!.contentType, 'text/plain');
});

test('matrix jobs publishing one tag at once end with one published release and every checksum', async (t) => {
  const github = await startGitHubServerFor(t);
  const targets = ['linux-x86_64', 'linux-aarch64', 'macos-arm64', 'windows-x86_64'];
  const results = await Promise.all(
    targets.map((target, i) =>
      publish(github, { assets: files({ [`hello-${target}`]: target, SHA256SUMS: `${sha(String(i))}  hello-${target}\n` }) }),
    ),
  );

  assert.equal(github.releases.length, 1, 'the drafts racing to be first settled on one');
  const [release] = github.releases;
  assert.equal(release!.draft, false);
  assert.equal(results.filter((r) => r?.created).length, 1);
  assert.deepEqual(release!.assets.map((a) => a.name).sort(), ['SHA256SUMS', ...targets.map((target) => `hello-${target}`)].sort());
  const sums = release!.assets.find((a) => a.name === 'SHA256SUMS')!.content.toString();
  assert.deepEqual(sums.trim().split('\n').map((line) => line.split('  ')[1]), targets.map((target) => `hello-${target}`).sort());
});

test('a read-only token (a pull request from a fork): a warning, nothing published, no failure', async (t) => {
  const github = await startGitHubServerFor(t);
  github.readOnly = true;
  const warnings: string[] = [];
  const result = await publish(github, { assets: files({ 'hello-linux-x86_64': 'x' }) }, warnings);
  assert.equal(result, undefined);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /Resource not accessible by integration.*release v1\.0\.0 was skipped.*contents: write/);
  assert.deepEqual(github.releases, []);
});

test('a read-only token where one may write (a tag push): a failure naming the token and the permission', async (t) => {
  const github = await startGitHubServerFor(t);
  github.readOnly = true;
  await assert.rejects(publish(github, { assets: files({ 'hello-linux-x86_64': 'x' }), failWhenReadOnly: true }), {
    input: 'token',
    message: /may not write releases of octo\/hello .*Resource not accessible by integration.*permissions: contents: write/,
  });
  assert.deepEqual(github.releases, []);
});

const UPLOAD = (name: string) => new RegExp(`^/uploads/repos/octo/hello/releases/\\d+/assets\\?name=${name.replace(/\./g, '\\.')}(&|$)`);
const statuses = (github: GitHubServer, method: string, url: RegExp) => github.requests.filter((r) => r.method === method && url.test(r.url)).map((r) => r.status);

for (const digests of [true, false]) {
  test(`the same bytes already on the release are kept, even without overwrite (${digests ? 'by digest' : 'downloaded: no digest, as on GHES'})`, async (t) => {
    const github = await startGitHubServerFor(t);
    github.assetDigests = digests;
    const release = github.addRelease({ tag: 'v1.0.0' });
    const same = github.addAsset(release, 'hello-linux-x86_64', 'ELF bytes');
    github.addAsset(release, 'hello-linux-aarch64', 'other bytes, same size');

    const result = await publish(github, { assets: files({ 'hello-linux-x86_64': 'ELF bytes' }) });
    assert.deepEqual(result?.assets, [{ name: 'hello-linux-x86_64', url: 'https://github.com/octo/hello/releases/download/v1.0.0/hello-linux-x86_64' }]);
    assert.deepEqual(release.assets.map((a) => a.name), ['hello-linux-x86_64', 'hello-linux-aarch64']);
    assert.equal(release.assets[0]!.id, same.id, 'nothing replaced');
    assert.equal(indexOf(github, 'DELETE', /./), -1);
    assert.equal(indexOf(github, 'GET', /^\/storage\//) !== -1, !digests, 'downloaded only without a digest');

    await assert.rejects(publish(github, { assets: files({ 'hello-linux-x86_64': 'ELF bytez' }) }), { input: 'overwrite' }, 'same size, other bytes: a clash');
  });
}

test('an upload that lands but answers 502 is tried again, and the 422 that follows finds our own bytes: one asset', async (t) => {
  const github = await startGitHubServerFor(t);
  github.assetDigests = false; // the harder case: the bytes are downloaded to compare
  github.inject('POST', UPLOAD('hello-linux-x86_64'), { kind: 'land-then-status', status: 502 });
  github.inject('POST', UPLOAD('SHA256SUMS'), { kind: 'land-then-status', status: 502 });
  const result = await publish(github, { assets: files({ 'hello-linux-x86_64': 'ELF', SHA256SUMS: `${sha('a')}  hello-linux-x86_64\n` }) });

  assert.deepEqual(github.pendingFaults(), []);
  const [release] = github.releases;
  assert.equal(release!.draft, false);
  assert.deepEqual(release!.assets.map((a) => a.name).sort(), ['SHA256SUMS', 'hello-linux-x86_64']);
  assert.equal(release!.assets.find((a) => a.name === 'SHA256SUMS')!.content.toString(), `${sha('a')}  hello-linux-x86_64\n`);
  assert.deepEqual(statuses(github, 'POST', UPLOAD('hello-linux-x86_64')), [502, 422]);
  assert.deepEqual(result?.assets.map((a) => a.name), ['hello-linux-x86_64', 'SHA256SUMS']);
});

test('a 502 from the uploads host, a dropped connection and a 5xx on the API are tried again', async (t) => {
  const github = await startGitHubServerFor(t);
  github.inject('POST', UPLOAD('hello-linux-x86_64'), { kind: 'status', status: 502 });
  github.inject('GET', /^\/repos\/octo\/hello\/releases\?/, { kind: 'drop' });
  github.inject('PATCH', /^\/repos\/octo\/hello\/releases\/\d+$/, { kind: 'status', status: 503 });
  await publish(github, { assets: files({ 'hello-linux-x86_64': 'ELF' }) });

  assert.deepEqual(github.pendingFaults(), []);
  assert.deepEqual(statuses(github, 'POST', UPLOAD('hello-linux-x86_64')), [502, 201]);
  assert.deepEqual(statuses(github, 'GET', /^\/repos\/octo\/hello\/releases\?/).slice(0, 2), [0, 200], 'the dropped list is asked again');
  assert.deepEqual(statuses(github, 'PATCH', /releases/), [503, 200]);
  assert.equal(github.releases.length, 1);
  assert.equal(github.releases[0]!.draft, false);
});

test("GitHub's secondary rate limit: waited out as its retry-after says, with a warning", async (t) => {
  const github = await startGitHubServerFor(t);
  github.inject('POST', /^\/repos\/octo\/hello\/releases$/, { kind: 'secondary-rate-limit', retryAfter: 60 });
  const warnings: string[] = [];
  await publish(github, { assets: files({ 'hello-linux-x86_64': 'ELF' }) }, warnings);

  assert.deepEqual(github.pendingFaults(), []);
  assert.deepEqual(statuses(github, 'POST', /^\/repos\/octo\/hello\/releases$/), [403, 201]);
  assert.equal(warnings.length, 1, warnings.join('\n'));
  assert.match(warnings[0]!, /secondary rate limit answered POST .*releases: trying again in 60 s \(retry 1 of 3\)/);
  assert.equal(github.releases[0]?.draft, false);
});

test('retries are bounded: an uploads host that keeps failing fails the job, naming the draft left behind', async (t) => {
  const github = await startGitHubServerFor(t);
  github.inject('POST', UPLOAD('hello-linux-x86_64'), { kind: 'status', status: 502 }, 100);
  const warnings: string[] = [];
  await assert.rejects(publish(github, { assets: files({ 'hello-linux-x86_64': 'ELF' }) }, warnings), { status: 502 });
  assert.equal(statuses(github, 'POST', UPLOAD('hello-linux-x86_64')).length, 4, 'the first try and 3 retries');
  const [draft] = github.releases;
  assert.equal(draft?.draft, true);
  assert.deepEqual(warnings, [`release v1.0.0 may be left a draft, at https://github.com/octo/hello/releases/tag/untagged-${draft.id.toString(16)}: re-run the failed jobs to publish it`]);
});

test('a re-run finds the draft its failed first attempt left: published, every asset once, through a 502 and a dropped connection', async (t) => {
  const github = await startGitHubServerFor(t);
  const local = {
    'hello-linux-x86_64': 'ELF',
    'hello-linux-x86_64.cdx.json': '{"bomFormat":"CycloneDX"}',
    'hello-linux-x86_64.notices.txt': 'MIT License ...',
  };
  const sums = Object.entries(local).map(([name, content]) => `${sha256Hex(content)}  ${name}\n`).join('');
  // The first attempt got its binary and SBOM up, and died uploading the notices.
  const draft = github.addRelease({ tag: 'v1.0.0', draft: true });
  github.addAsset(draft, 'hello-linux-x86_64', local['hello-linux-x86_64']);
  github.addAsset(draft, 'hello-linux-x86_64.cdx.json', local['hello-linux-x86_64.cdx.json']);
  github.inject('POST', UPLOAD('hello-linux-x86_64.notices.txt'), { kind: 'status', status: 502 });
  github.inject('GET', /^\/repos\/octo\/hello\/releases\/assets\/\d+$/, { kind: 'drop' });
  github.assetDigests = false;

  const result = await publish(github, { assets: files({ ...local, SHA256SUMS: sums }) });
  assert.deepEqual(github.pendingFaults(), []);
  assert.equal(github.releases.length, 1);
  assert.equal(draft.draft, false);
  assert.deepEqual(draft.assets.map((a) => a.name).sort(), ['SHA256SUMS', ...Object.keys(local)].sort(), 'each once');
  assert.equal(draft.assets.find((a) => a.name === 'SHA256SUMS')!.content.toString(), sums);
  assert.equal(result?.releaseUrl, 'https://github.com/octo/hello/releases/tag/v1.0.0');
});

test('SHA256SUMS keeps only lines of files the release has: stale ones, the release\'s or ours, are dropped', async (t) => {
  const github = await startGitHubServerFor(t);
  const release = github.addRelease({ tag: 'v1.0.0' });
  github.addAsset(release, 'hello-macos-arm64', 'mach-o');
  github.addAsset(release, 'SHA256SUMS', `${sha('b')}  hello-macos-arm64\n${sha('c')}  hello-linux-old\n`);
  // Our out dir's SHA256SUMS also lists a file of an earlier build that this job does not upload.
  await publish(github, { assets: files({ 'hello-linux-x86_64': 'elf', SHA256SUMS: `${sha('a')}  hello-linux-x86_64\n${sha('d')}  hello-not-uploaded\n` }) });
  const sums = release.assets.find((a) => a.name === 'SHA256SUMS')!.content.toString();
  assert.equal(sums, `${sha('a')}  hello-linux-x86_64\n${sha('b')}  hello-macos-arm64\n`);
});

test('another release published for the tag while we filled our draft: our assets go there, our draft is deleted', async (t) => {
  const github = await startGitHubServerFor(t);
  let theirs: ReturnType<GitHubServer['addRelease']> | undefined;
  github.when('POST', UPLOAD('hello-linux-x86_64'), () => void (theirs = github.addRelease({ tag: 'v1.0.0' })));
  const warnings: string[] = [];
  const result = await publish(github, { assets: files({ 'hello-linux-x86_64': 'ELF', SHA256SUMS: `${sha('a')}  hello-linux-x86_64\n` }) }, warnings);

  assert.deepEqual(github.pendingFaults(), []);
  assert.deepEqual(statuses(github, 'PATCH', /releases/), [422], 'publishing our draft was refused');
  assert.deepEqual(github.releases, [theirs], 'our draft is gone');
  assert.deepEqual(theirs!.assets.map((a) => a.name).sort(), ['SHA256SUMS', 'hello-linux-x86_64']);
  assert.equal(result?.releaseUrl, 'https://github.com/octo/hello/releases/tag/v1.0.0');
  assert.deepEqual(warnings, []);
});

test('a draft we found, superseded by a published release: left alone, named in a warning', async (t) => {
  const github = await startGitHubServerFor(t);
  const draft = github.addRelease({ tag: 'v1.0.0', draft: true });
  github.when('POST', UPLOAD('hello-linux-x86_64'), () => void github.addRelease({ tag: 'v1.0.0' }));
  const warnings: string[] = [];
  await publish(github, { assets: files({ 'hello-linux-x86_64': 'ELF' }) }, warnings);
  assert.equal(github.releases.length, 2);
  assert.equal(draft.draft, true);
  assert.deepEqual(github.releases.find((r) => !r.draft)!.assets.map((a) => a.name), ['hello-linux-x86_64']);
  assert.deepEqual(warnings, [`a draft for v1.0.0 remains at https://github.com/octo/hello/releases/tag/untagged-${draft.id.toString(16)} beside the published release: delete it once its assets are on the published one`]);
});

test('the draft we found is deleted under us (a twin draft lost): we start over on the one that stands', async (t) => {
  const github = await startGitHubServerFor(t);
  const lost = github.addRelease({ tag: 'v1.0.0', draft: true });
  let kept: ReturnType<GitHubServer['addRelease']> | undefined;
  github.when('POST', UPLOAD('hello-linux-x86_64'), () => {
    github.releases.splice(github.releases.indexOf(lost), 1);
    kept = github.addRelease({ tag: 'v1.0.0', draft: true });
  });
  await publish(github, { assets: files({ 'hello-linux-x86_64': 'ELF' }) });
  assert.deepEqual(github.releases, [kept]);
  assert.equal(kept!.draft, false);
  assert.deepEqual(kept!.assets.map((a) => a.name), ['hello-linux-x86_64']);
});
