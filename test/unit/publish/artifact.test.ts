import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { PybinError } from '../../../src/plumbing/errors.js';
import { archiveBinary } from '../../../src/publish/archive.js';
import { artifactUrl, expandArtifactName, uploadBinaryArtifact, validateArtifactName } from '../../../src/publish/artifact.js';
import { startArtifactServer, type ArtifactServer } from '../../support/artifact-server.js';

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const DAY = 24 * 60 * 60 * 1000;

let server: ArtifactServer;
const savedEnv: Record<string, string | undefined> = {};

/** The runner's environment for one job of run 4242, pointing the real client at the loopback server. */
function runnerEnv(): Record<string, string | undefined> {
  return {
    ...server.env,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REPOSITORY: 'octo/hello',
    GITHUB_RUN_ID: '4242',
    GITHUB_RETENTION_DAYS: undefined,
    ACTIONS_ARTIFACT_UPLOAD_CONCURRENCY: undefined,
  };
}

function setEnv(values: Record<string, string | undefined>): void {
  for (const [name, value] of Object.entries(values)) {
    if (!(name in savedEnv)) savedEnv[name] = process.env[name];
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
}

before(async () => {
  server = await startArtifactServer();
  setEnv(runnerEnv());
});

after(async () => {
  for (const [name, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  await server.close();
});

/** A fresh dir holding a binary; the name is the one build.ts gives it. */
function binary(name = 'hello-linux-x86_64', content = Buffer.from(`#!/bin/sh\necho ${name}\n`.repeat(1000))): string {
  const file = join(mkdtempSync(join(tmpdir(), 'pybin-artifact-')), name);
  writeFileSync(file, content, { mode: 0o755 });
  return file;
}

test('the binary is uploaded as is: the stored bytes are the file, under the artifact name', async () => {
  const file = binary();
  const uploaded = await uploadBinaryArtifact({ file, artifactName: 'hello-linux-x86_64' });

  const stored = server.artifacts.get('hello-linux-x86_64');
  assert.ok(stored, `artifacts stored: ${[...server.artifacts.keys()].join(', ')}`);
  assert.equal(sha256(stored.content), sha256(readFileSync(file)));
  assert.deepEqual(stored.finalized, { size: String(readFileSync(file).length), hash: `sha256:${sha256(readFileSync(file))}` });
  assert.equal(stored.mimeType, 'application/octet-stream');
  assert.deepEqual(uploaded, {
    id: stored.id,
    url: `https://github.com/octo/hello/actions/runs/4242/artifacts/${stored.id}`,
    size: readFileSync(file).length,
  });
  assert.deepEqual(readdirSync(join(file, '..')), ['hello-linux-x86_64'], 'the staging link is gone');
});

test('an artifact name other than the file name is the one the artifact gets', async () => {
  const file = binary('tool-macos-arm64', Buffer.from('not much'));
  const uploaded = await uploadBinaryArtifact({ file, artifactName: 'tool-3.12-macos-arm64 (nightly)' });
  const stored = server.artifacts.get('tool-3.12-macos-arm64 (nightly)');
  assert.equal(stored?.id, uploaded.id, `artifacts stored: ${[...server.artifacts.keys()].join(', ')}`);
  assert.deepEqual(stored.content, Buffer.from('not much'));
});

for (const kind of ['tar.gz', 'zip'] as const) {
  test(`a ${kind} goes inside the artifact's zip, so the artifact keeps its name`, async () => {
    const file = binary(`archived-${kind}-linux-x86_64`);
    const archive = await archiveBinary(file, kind, join(file, '..'));
    const uploaded = await uploadBinaryArtifact({ file: archive, artifactName: `archived-${kind}` });

    const stored = server.artifacts.get(`archived-${kind}`);
    assert.ok(stored, `artifacts stored: ${[...server.artifacts.keys()].join(', ')}`);
    assert.equal(stored.mimeType, 'application/zip');
    assert.equal(uploaded.id, stored.id);
    assert.equal(uploaded.size, stored.content.length);
    const download = join(mkdtempSync(join(tmpdir(), 'pybin-artifact-download-')), 'artifact.zip');
    writeFileSync(download, stored.content);
    assert.deepEqual(execFileSync('unzip', ['-Z1', download], { encoding: 'utf8' }).trim().split('\n'), [`archived-${kind}-linux-x86_64.${kind}`]);
    assert.equal(sha256(execFileSync('unzip', ['-p', download], { maxBuffer: 1 << 26 })), sha256(readFileSync(archive)));
  });
}

test('a second artifact of the same name on the first attempt: a clear error on artifact-name, without retries, nothing deleted', async () => {
  await uploadBinaryArtifact({ file: binary('twice-linux-x86_64', Buffer.from('first')), artifactName: 'twice' });
  const before = server.requests.length;
  setEnv({ ...server.newJob() }); // a matrix sibling with the same artifact-name
  try {
    const upload = uploadBinaryArtifact({ file: binary('twice-linux-x86_64', Buffer.from('second')), artifactName: 'twice', runAttempt: 1 });
    await assert.rejects(upload, (error) => {
      assert.ok(error instanceof PybinError);
      assert.equal(error.input, 'artifact-name');
      assert.match(error.message, /an artifact named "twice" already exists in this workflow run/);
      assert.match(error.message, /matrix jobs, keep \{os\} and \{arch\} in artifact-name/);
      assert.match(error.message, /A re-run replaces the artifacts of the run's earlier attempts/);
      return true;
    });
  } finally {
    setEnv({ ...server.env });
  }
  assert.deepEqual(server.requests.slice(before), ['CreateArtifact'], 'the 409 is not retried, and nothing is uploaded or deleted');
  assert.deepEqual(server.artifacts.get('twice')?.content, Buffer.from('first'));
});

test("a re-run's job (attempt 2) replaces the artifact of the same name that its earlier attempt left, and says so", async () => {
  await uploadBinaryArtifact({ file: binary('rerun-linux-x86_64', Buffer.from('attempt 1')), artifactName: 'rerun' });
  const first = server.artifacts.get('rerun')!;
  const before = server.requests.length;
  const said: string[] = [];
  setEnv({ ...server.newJob() }); // a re-run is a new job of the same run, with its own token
  try {
    const uploaded = await uploadBinaryArtifact({ file: binary('rerun-linux-x86_64', Buffer.from('attempt 2')), artifactName: 'rerun', runAttempt: 2, info: (m) => said.push(m) });
    const stored = server.artifacts.get('rerun')!;
    assert.equal(uploaded.id, stored.id);
    assert.notEqual(stored.id, first.id);
    assert.deepEqual(stored.content, Buffer.from('attempt 2'));
  } finally {
    setEnv({ ...server.env });
  }
  assert.deepEqual(server.deleted.map((a) => [a.id, a.content.toString()]), [[first.id, 'attempt 1']]);
  assert.deepEqual(
    server.requests.slice(before).filter((r) => !r.startsWith('PUT ')),
    ['CreateArtifact', 'ListArtifacts', 'DeleteArtifact', 'CreateArtifact', 'FinalizeArtifact'],
  );
  assert.deepEqual(said, [`replaced the artifact "rerun" (id ${first.id}) that an earlier attempt of this run uploaded (this is attempt 2)`]);
});

test('on a later attempt a name taken by no earlier artifact is uploaded as usual, without deleting', async () => {
  const before = server.requests.length;
  await uploadBinaryArtifact({ file: binary(), artifactName: 'fresh-on-attempt-3', runAttempt: 3 });
  assert.deepEqual(server.requests.slice(before).filter((r) => !r.startsWith('PUT ')), ['CreateArtifact', 'FinalizeArtifact']);
});

test('retention days reach CreateArtifact as an expiry that many days out', async () => {
  await uploadBinaryArtifact({ file: binary(), artifactName: 'kept-5-days', retentionDays: 5 });
  const kept = server.artifacts.get('kept-5-days')!;
  const expiresAt = Date.parse(kept.expiresAt!);
  assert.ok(Math.abs(expiresAt - (Date.now() + 5 * DAY)) < 60_000, `expires_at ${kept.expiresAt}`);
  assert.equal(kept.retentionDays, 5);

  await uploadBinaryArtifact({ file: binary(), artifactName: 'kept-default' });
  assert.equal(server.artifacts.get('kept-default')!.expiresAt, undefined, "no retention days: the repository's setting");
});

test('other failures: an error naming the artifact and the cause', async () => {
  setEnv({ GITHUB_SERVER_URL: 'https://ghes.example.com' });
  try {
    await assert.rejects(uploadBinaryArtifact({ file: binary(), artifactName: 'on-ghes' }), (error) => {
      assert.ok(error instanceof PybinError);
      assert.equal(error.input, undefined);
      assert.match(error.message, /uploading the artifact "on-ghes" failed: .*not currently supported on GHES/);
      return true;
    });
  } finally {
    setEnv({ GITHUB_SERVER_URL: 'https://github.com' });
  }
  setEnv({ ACTIONS_RUNTIME_TOKEN: undefined });
  try {
    await assert.rejects(uploadBinaryArtifact({ file: binary(), artifactName: 'no-token' }), /uploading the artifact "no-token" failed: .*ACTIONS_RUNTIME_TOKEN/);
  } finally {
    setEnv({ ACTIONS_RUNTIME_TOKEN: server.env.ACTIONS_RUNTIME_TOKEN });
  }
  assert.ok(!server.artifacts.has('on-ghes') && !server.artifacts.has('no-token'));
});

test('a bad artifact name is refused before anything is sent', async () => {
  await assert.rejects(uploadBinaryArtifact({ file: binary(), artifactName: 'a/b' }), { name: 'PybinError', input: 'artifact-name' });
  assert.ok(!server.artifacts.has('a/b') && !server.artifacts.has('b'));
});

test('validateArtifactName refuses what the artifact service does, naming the character', () => {
  for (const character of ['"', ':', '<', '>', '|', '*', '?', '\r', '\n', '\\', '/']) {
    assert.throws(() => validateArtifactName(`app${character}linux`), (error) => {
      assert.ok(error instanceof PybinError);
      assert.equal(error.input, 'artifact-name');
      assert.match(error.message, /artifact names may not contain/);
      return true;
    }, JSON.stringify(character));
  }
  assert.throws(() => validateArtifactName('app:linux'), /contains a colon \(:\)/);
  assert.throws(() => validateArtifactName('  '), /artifact-name must not be empty/);
  for (const name of ['hello-linux-x86_64', 'hello 3.12 (linux, x86_64)', 'hello_v1.2.3+build.4', 'héllo-{os}']) {
    assert.doesNotThrow(() => validateArtifactName(name), name);
  }
});

test('expandArtifactName fills {name}, {os}, {arch} and {python}, every time they appear', () => {
  const values = { name: 'hello', os: 'linux', arch: 'aarch64', python: '3.12' };
  assert.equal(expandArtifactName('{name}-{os}-{arch}', values), 'hello-linux-aarch64');
  assert.equal(expandArtifactName('{name}-py{python}-{os}-{arch}-{os}', values), 'hello-py3.12-linux-aarch64-linux');
  assert.equal(expandArtifactName('fixed', values), 'fixed');
  assert.equal(expandArtifactName('{name}-{version}', values), 'hello-{version}', 'unknown placeholders are left as written');
});

test('artifactUrl: the run page of the artifact, only when the run is known', () => {
  const env = { GITHUB_SERVER_URL: 'https://ghe.example.com/', GITHUB_REPOSITORY: 'o/r', GITHUB_RUN_ID: '7' };
  assert.equal(artifactUrl(12, env), 'https://ghe.example.com/o/r/actions/runs/7/artifacts/12');
  assert.equal(artifactUrl(12, { ...env, GITHUB_RUN_ID: undefined }), undefined);
});
