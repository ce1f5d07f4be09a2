import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { BundleResult } from '../../../src/bundle/bundle.js';
import type { Progress } from '../../../src/plumbing/progress.js';
import type { GitHubContext } from '../../../src/publish/github-context.js';
import { renderInstallScript } from '../../../src/publish/install-script.js';
import { publishBinary, type PublishOptions } from '../../../src/publish/publish.js';
import { startArtifactServer, type ArtifactServer, type RuntimeEnv } from '../../support/artifact-server.js';
import { fastClientSettings, startGitHubServerFor, type GitHubServer } from '../../support/github-server.js';

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

let artifacts: ArtifactServer;
const savedEnv: Record<string, string | undefined> = {};

function setEnv(values: Partial<Record<string, string>>): void {
  for (const [name, value] of Object.entries(values)) {
    if (!(name in savedEnv)) savedEnv[name] = process.env[name];
    process.env[name] = value;
  }
}

before(async () => {
  artifacts = await startArtifactServer();
  setEnv({ ...artifacts.env, GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: 'octo/hello', GITHUB_RUN_ID: '4242' });
});

after(async () => {
  for (const [name, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  await artifacts.close();
});

/**
 * What bundleApp leaves in the out dir, and the fields of its result that
 * publishing reads: the binary, its SBOM and notices beside it, and the
 * SHA256SUMS listing the three.
 */
function built(arch: string, name = 'hello'): BundleResult {
  const dir = mkdtempSync(join(tmpdir(), 'pybin-publish-'));
  const binary = join(dir, `${name}-linux-${arch}`);
  const files = {
    [binary]: `ELF for ${arch}`,
    [`${binary}.cdx.json`]: JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.6', metadata: { component: { name } } }),
    [`${binary}.notices.txt`]: `${name}: MIT License\n`,
  };
  for (const [path, content] of Object.entries(files)) writeFileSync(path, content);
  writeFileSync(join(dir, 'SHA256SUMS'), Object.entries(files).map(([path, content]) => `${sha256(content)}  ${path.slice(dir.length + 1)}\n`).join(''));
  const result = {
    binary, name, os: 'linux', arch, sha256: sha256(files[binary]!), size: files[binary]!.length,
    sbom: `${binary}.cdx.json`, notices: `${binary}.notices.txt`,
    toolchain: { target: { triple: `${arch}-linux-musl` }, metadata: { python: '3.13.5' } },
  };
  // Publishing reads no more of a BundleResult than this.
  return result as unknown as BundleResult;
}

function context(github: GitHubServer, runAttempt = 1): GitHubContext {
  return {
    apiUrl: github.base,
    serverUrl: 'https://github.com',
    repository: { owner: 'octo', repo: 'hello' },
    eventName: 'push',
    ref: 'refs/tags/v1.0.0',
    tag: 'v1.0.0',
    runId: '4242',
    runAttempt,
    runUrl: 'https://github.com/octo/hello/actions/runs/4242',
  };
}

function options(overrides: Partial<PublishOptions> = {}): PublishOptions {
  return {
    uploadArtifact: true,
    artifactName: '{name}-{os}-{arch}',
    archive: 'none',
    releaseTag: 'v1.0.0',
    draft: false,
    prerelease: false,
    overwrite: true,
    installScript: false,
    prComment: false,
    token: 'test-token',
    github: fastClientSettings(),
    ...overrides,
  };
}

function progress(warnings: string[] = []): Progress {
  return { info: () => {}, warn: (message) => warnings.push(message), stage: (_label, work) => work() };
}

/** Runs `work` as another job of the run (a re-run's attempt, or a matrix sibling), with its own runtime token. */
async function asJob<T>(env: RuntimeEnv, work: () => Promise<T>): Promise<T> {
  setEnv({ ...env });
  try {
    return await work();
  } finally {
    setEnv({ ...artifacts.env });
  }
}

const UPLOAD = (name: string) => new RegExp(`^/uploads/repos/octo/hello/releases/\\d+/assets\\?name=${name.replace(/\./g, '\\.')}(&|$)`);
const names = (assets: { name: string }[]) => assets.map((a) => a.name).sort();

test('the SBOM and notices go up beside the binary: as release assets, and as artifacts named after its artifact, unzipped', async (t) => {
  const github = await startGitHubServerFor(t);
  const build = built('x86_64');
  const published = await publishBinary(build, options({ artifactName: 'sbom-test-{arch}' }), context(github), progress());

  const stored = (name: string) => {
    const artifact = artifacts.artifacts.get(name);
    assert.ok(artifact, `artifacts: ${[...artifacts.artifacts.keys()].join(', ')}`);
    return artifact;
  };
  assert.equal(published.artifact?.id, stored('sbom-test-x86_64').id, "the binary's artifact is the one reported");
  assert.deepEqual(stored('sbom-test-x86_64').content, readFileSync(build.binary));
  assert.deepEqual(stored('sbom-test-x86_64.cdx.json').content, readFileSync(build.sbom), 'the file itself, no zip around it');
  assert.equal(stored('sbom-test-x86_64.cdx.json').mimeType, 'application/json');
  assert.deepEqual(stored('sbom-test-x86_64.notices.txt').content, readFileSync(build.notices));
  assert.equal(stored('sbom-test-x86_64.notices.txt').mimeType, 'text/plain');

  const [release] = github.releases;
  assert.deepEqual(names(release!.assets), ['SHA256SUMS', 'hello-linux-x86_64', 'hello-linux-x86_64.cdx.json', 'hello-linux-x86_64.notices.txt']);
  assert.equal(release!.assets.find((a) => a.name === 'SHA256SUMS')!.content.toString(), readFileSync(join(build.binary, '..', 'SHA256SUMS'), 'utf8'));
  assert.deepEqual(published.release, {
    url: 'https://github.com/octo/hello/releases/tag/v1.0.0',
    assetUrl: 'https://github.com/octo/hello/releases/download/v1.0.0/hello-linux-x86_64',
    sbomAssetUrl: 'https://github.com/octo/hello/releases/download/v1.0.0/hello-linux-x86_64.cdx.json',
    draft: false,
  });
});

test('a re-run of a job that failed after making the draft: artifacts replaced, the release published, every asset once (through a 502 and a drop)', async (t) => {
  const github = await startGitHubServerFor(t);
  const build = built('aarch64', 'rerun');

  // Attempt 1: the artifacts go up, then the uploads host fails the notices every time.
  github.inject('POST', UPLOAD('rerun-linux-aarch64.notices.txt'), { kind: 'status', status: 502 }, 4);
  const firstWarnings: string[] = [];
  await assert.rejects(publishBinary(build, options(), context(github, 1), progress(firstWarnings)), { status: 502 });
  const [draft] = github.releases;
  assert.equal(draft?.draft, true);
  assert.deepEqual(names(draft.assets), ['rerun-linux-aarch64', 'rerun-linux-aarch64.cdx.json']);
  assert.deepEqual(firstWarnings, [`release v1.0.0 may be left a draft, at https://github.com/octo/hello/releases/tag/untagged-${draft.id.toString(16)}: re-run the failed jobs to publish it`]);
  const firstArtifacts = ['rerun-linux-aarch64', 'rerun-linux-aarch64.cdx.json', 'rerun-linux-aarch64.notices.txt'].map((name) => artifacts.artifacts.get(name)!.id);

  // Attempt 2, a new job of the same run: one 502 and one dropped connection on the way.
  github.inject('POST', UPLOAD('rerun-linux-aarch64.notices.txt'), { kind: 'status', status: 502 });
  github.inject('GET', /^\/repos\/octo\/hello\/releases\?/, { kind: 'drop' });
  const secondWarnings: string[] = [];
  const published = await asJob(artifacts.newJob(), () => publishBinary(build, options(), context(github, 2), progress(secondWarnings)));

  assert.deepEqual(github.pendingFaults(), []);
  assert.deepEqual(secondWarnings, []);
  assert.equal(github.releases.length, 1);
  assert.equal(draft.draft, false, 'published by the re-run');
  assert.deepEqual(names(draft.assets), ['SHA256SUMS', 'rerun-linux-aarch64', 'rerun-linux-aarch64.cdx.json', 'rerun-linux-aarch64.notices.txt'], 'each once');
  assert.equal(draft.assets.find((a) => a.name === 'SHA256SUMS')!.content.toString(), readFileSync(join(build.binary, '..', 'SHA256SUMS'), 'utf8'));
  assert.equal(published.release?.url, 'https://github.com/octo/hello/releases/tag/v1.0.0');
  assert.deepEqual(artifacts.deleted.map((a) => a.id).sort(), [...firstArtifacts].sort(), "attempt 1's artifacts were replaced");
  assert.equal(published.artifact?.id, artifacts.artifacts.get('rerun-linux-aarch64')!.id);
});

test('install.sh: two matrix jobs at once attach one; a different one is replaced only with overwrite', async (t) => {
  const github = await startGitHubServerFor(t);
  const script = renderInstallScript({ name: 'hello', downloadUrl: 'https://github.com/octo/hello/releases/download/v1.0.0' });
  const job = (arch: string, overrides: Partial<PublishOptions> = {}) =>
    publishBinary(built(arch), options({ uploadArtifact: false, installScript: true, ...overrides }), context(github), progress());

  await Promise.all([job('x86_64'), job('aarch64')]);
  assert.equal(github.releases.length, 1);
  const [release] = github.releases;
  const installs = release!.assets.filter((a) => a.name === 'install.sh');
  assert.equal(installs.length, 1);
  assert.equal(installs[0]!.content.toString(), script);
  const uploads = github.requests.filter((r) => r.method === 'POST' && UPLOAD('install.sh').test(r.url)).map((r) => r.status);
  assert.deepEqual(uploads.sort(), [201, 422], 'the second found the same script and kept it');
  const sums = release!.assets.find((a) => a.name === 'SHA256SUMS')!.content.toString();
  assert.deepEqual(sums.trim().split('\n').map((line) => line.split('  ')[1]), [
    'hello-linux-aarch64', 'hello-linux-aarch64.cdx.json', 'hello-linux-aarch64.notices.txt',
    'hello-linux-x86_64', 'hello-linux-x86_64.cdx.json', 'hello-linux-x86_64.notices.txt',
  ]);

  installs[0]!.content = Buffer.from('#!/bin/sh\necho an older script\n');
  await assert.rejects(job('x86_64', { overwrite: false }), { input: 'overwrite', message: /already has an asset named install\.sh, with other content/ });
  await job('x86_64', { overwrite: true });
  const replaced = release!.assets.filter((a) => a.name === 'install.sh');
  assert.deepEqual(replaced.map((a) => a.content.toString()), [script]);
});

test('install-script off, or no release: no install.sh', async (t) => {
  const github = await startGitHubServerFor(t);
  await publishBinary(built('x86_64'), options({ uploadArtifact: false }), context(github), progress());
  assert.ok(!github.releases[0]!.assets.some((a) => a.name === 'install.sh'));
  await publishBinary(built('x86_64'), options({ uploadArtifact: false, installScript: true, releaseTag: undefined }), context(github), progress());
  assert.equal(github.requests.filter((r) => UPLOAD('install.sh').test(r.url)).length, 0);
});
