import { getOctokit } from '@actions/github';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { PybinError } from '../../../src/plumbing/errors.js';
import { publishRelease, type PublishReleaseOptions } from '../../../src/publish/release.js';
import { startGitHubServerFor, type GitHubServer } from '../../support/github-server.js';

const repo = { owner: 'octo', repo: 'hello' };
const sha = (c: string) => c.repeat(64);

/** Files of these names and contents in a fresh dir, as paths. */
function files(contents: Record<string, string>): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'pybin-release-'));
  return Object.entries(contents).map(([name, content]) => {
    writeFileSync(join(dir, name), content);
    return join(dir, name);
  });
}

function publish(github: GitHubServer, options: Partial<PublishReleaseOptions> & { assets: string[] }, warnings: string[] = []) {
  return publishRelease({
    octokit: getOctokit('test-token', { baseUrl: github.base }),
    repo,
    tag: 'v1.0.0',
    draft: false,
    prerelease: false,
    overwrite: false,
    warn: (message) => warnings.push(message),
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

test('draft: true leaves the release it creates a draft', async (t) => {
  const github = await startGitHubServerFor(t);
  const result = await publish(github, { assets: files({ 'hello-linux-x86_64': 'x' }), draft: true });
  assert.equal(result?.created, true);
  assert.equal(github.releases[0]?.draft, true);
  assert.match(result.releaseUrl, /\/releases\/tag\/untagged-/);
  assert.equal(indexOf(github, 'PATCH', /releases/), -1);
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

test('a draft for the tag, which GitHub does not find by tag, is found in the release list', async (t) => {
  const github = await startGitHubServerFor(t);
  github.addRelease({ tag: 'v0.9.0' });
  const draft = github.addRelease({ tag: 'v1.0.0', draft: true });
  const result = await publish(github, { assets: files({ 'hello-linux-x86_64': 'x' }) });
  assert.equal(result?.created, false);
  assert.equal(github.releases.length, 2);
  assert.deepEqual(draft.assets.map((a) => a.name), ['hello-linux-x86_64']);
  assert.equal(draft.draft, true, 'someone else made this draft: they publish it');
});

test('an asset of the same name: an error naming overwrite, or with overwrite replaced after the 422', async (t) => {
  const github = await startGitHubServerFor(t);
  const release = github.addRelease({ tag: 'v1.0.0' });
  const old = github.addAsset(release, 'hello-linux-x86_64', 'old build');
  const assets = files({ 'hello-linux-x86_64': 'new build' });

  await assert.rejects(publish(github, { assets }), (error: unknown) => {
    assert.ok(error instanceof PybinError);
    assert.equal(error.input, 'overwrite');
    assert.match(error.message, /already has an asset named hello-linux-x86_64.*overwrite: true/);
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
