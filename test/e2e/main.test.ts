import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { packageRoot } from '../../src/plumbing/package-root.js';
import { sha256 } from '../../src/plumbing/hash.js';
import { startArtifactServer, type ArtifactServer } from '../support/artifact-server.js';
import { startGitHubServer, type GitHubServer } from '../support/github-server.js';
import { testSourcesFile, testToolchain, TEST_PYTHONS } from '../support/toolchain.js';

/**
 * The Action's run() driven in this process, as actions/typescript-action's
 * tests do: inputs and the runner's files through the environment, the real
 * toolkit clients against loopback servers. (action.test.ts runs the bundle.)
 */
const python = TEST_PYTHONS[0]!;
let artifacts: ArtifactServer;
let github: GitHubServer;

before(async () => {
  await testToolchain(python);
  artifacts = await startArtifactServer();
  github = await startGitHubServer();
});
after(async () => {
  await Promise.all([artifacts.close(), github.close()]);
});

test('run() builds, publishes and sets its outputs in process', { timeout: 30 * 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pybin-main-'));
  const files = { GITHUB_OUTPUT: join(dir, 'output'), GITHUB_STEP_SUMMARY: join(dir, 'summary'), GITHUB_EVENT_PATH: join(dir, 'event.json') };
  for (const file of Object.values(files)) writeFileSync(file, file === files.GITHUB_EVENT_PATH ? '{}' : '');
  const inputs = {
    app: join(packageRoot(), 'test', 'fixtures', 'apps', 'cli'),
    name: 'cli',
    'python-version': python,
    sources: testSourcesFile(),
    out: join(dir, 'out'),
    token: 'ghs_inProcessToken0123456789',
    cache: 'false',
    'smoke-test': 'smoke',
  };
  Object.assign(process.env, files, artifacts.env, {
    GITHUB_ACTIONS: 'true',
    GITHUB_REPOSITORY: 'acme/tool',
    GITHUB_SERVER_URL: 'https://acme.ghe.com',
    GITHUB_API_URL: github.base,
    GITHUB_RUN_ID: '77',
    GITHUB_EVENT_NAME: 'push',
    GITHUB_REF: 'refs/tags/v2.0.0',
    RUNNER_TEMP: join(dir, 'temp'),
    RUNNER_TOOL_CACHE: join(dir, 'tool-cache'),
    ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v])),
  });
  // @actions/github reads GITHUB_API_URL when it is imported: import after setting it.
  const { run } = await import('../../src/main.js');
  await run();

  assert.equal(process.exitCode ?? 0, 0, readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8'));
  const output = readFileSync(files.GITHUB_OUTPUT, 'utf8');
  const value = (name: string) => new RegExp(`^${name}<<(\\S+)\\n([\\s\\S]*?)\\n\\1$`, 'm').exec(output)?.[2];
  const binary = value('binary-path')!;
  assert.equal(value('binary-name'), 'cli-linux-x86_64');
  assert.equal(value('sha256'), sha256(readFileSync(binary)));
  assert.equal(value('cache-hit'), 'true', 'the toolchain came from pybin\'s cache');
  assert.equal(value('interpreter-source'), 'build');
  assert.equal(sha256(artifacts.artifacts.get('cli-linux-x86_64')!.content), value('sha256'));
  const release = github.releases.find((r) => r.tag === 'v2.0.0');
  assert.ok(release && !release.draft, 'the release is published');
  assert.deepEqual(release.assets.map((a) => a.name).sort(), ['SHA256SUMS', 'cli-linux-x86_64', 'cli-linux-x86_64.cdx.json', 'cli-linux-x86_64.notices.txt']);
  assert.match(readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8'), /cli-linux-x86_64/);
});
