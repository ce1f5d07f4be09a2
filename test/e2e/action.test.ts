import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { packageRoot } from '../../src/plumbing/package-root.js';
import { sha256 } from '../../src/plumbing/hash.js';
import { packToolchain } from '../../src/toolchain/pack.js';
import { planToolchain } from '../../src/toolchain/plan.js';
import { hostTarget } from '../../src/toolchain/targets.js';
import { selectPython } from '../../src/toolchain/versions.js';
import { runAction, type ActionEnv } from '../support/action.js';
import { CROSS_SKIP } from '../support/cross.js';
import { startArtifactServer, type ArtifactServer } from '../support/artifact-server.js';
import { startGitHubServer, type GitHubServer } from '../support/github-server.js';
import { startManifestServer, type ManifestServer } from '../support/manifest-server.js';
import { run } from '../support/run.js';
import { testSources, testSourcesFile, testToolchain, TEST_PYTHONS } from '../support/toolchain.js';

const python = TEST_PYTHONS[0]!;
const APP = join(packageRoot(), 'test', 'fixtures', 'apps', 'cli');
const TOKEN = 'ghs_pybinTestToken0123456789';

/** A port nothing listens on. */
async function closedPort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

describe(`the bundled action (CPython ${python})`, { timeout: 30 * 60_000 }, () => {
  let artifacts: ArtifactServer;
  let github: GitHubServer;
  let manifests: ManifestServer;
  let nowhere: string;
  let toolCache: string;

  before(async () => {
    await testToolchain(python); // build (or reuse) the interpreter outside the timed action runs
    artifacts = await startArtifactServer();
    github = await startGitHubServer();
    manifests = await startManifestServer();
    nowhere = await closedPort();
    toolCache = mkdtempSync(join(tmpdir(), 'pybin-tool-cache-'));
  });
  after(async () => {
    await Promise.all([artifacts.close(), github.close(), manifests.close()]);
  });

  /** A job: the runner's environment around our loopback services. */
  const job = (inputs: Record<string, string>, extra: Partial<ActionEnv> = {}) =>
    runAction({
      inputs: {
        app: APP,
        name: 'cli',
        'python-version': python,
        sources: testSourcesFile(),
        'manifest-url': `${nowhere}/manifest.json`,
        token: TOKEN,
        out: mkdtempSync(join(tmpdir(), 'pybin-action-out-')),
        ...inputs,
      },
      event: extra.event,
      env: {
        ...artifacts.env,
        GITHUB_API_URL: github.base,
        RUNNER_TOOL_CACHE: toolCache,
        ACTIONS_CACHE_URL: `${nowhere}/`,
        ...extra.env,
      },
    });

  test('a tag push: builds, uploads the artifact, publishes the release, writes outputs and summary', async () => {
    const result = await job(
      { 'smoke-test': 'smoke --exit 0', 'retention-days': '5' },
      { env: { GITHUB_REF: 'refs/tags/v1.0.0', GITHUB_SHA: 'abc123' } },
    );
    assert.equal(result.status, 0, result.stdout + result.stderr);
    const { outputs } = result;
    const binary = outputs['binary-path']!;
    assert.ok(existsSync(binary));
    const bytes = readFileSync(binary);
    assert.equal(outputs['binary-name'], 'cli-linux-x86_64');
    assert.equal(outputs.sha256, sha256(bytes));
    assert.equal(outputs.size, String(bytes.length));
    assert.match(outputs['python-version']!, new RegExp(`^${python.replace('.', '\\.')}\\.`));
    assert.equal(outputs.target, 'x86_64-linux-musl');
    assert.equal(outputs['requires-glibc'], '', 'a static binary needs no glibc');
    assert.equal(outputs['interpreter-source'], 'build', 'the manifest is unreachable, so auto built (from the local cache)');
    assert.equal(outputs['cache-hit'], 'true', 'pybin\'s own cache had the build');
    assert.match(result.stdout, /::warning::.*building from source instead/);
    // An unavailable cache service: warnings (from @actions/cache itself), and the job goes on.
    assert.match(result.stdout, /::warning::Failed to restore: .*ECONNREFUSED/);
    assert.match(result.stdout, /::warning::Failed to save: .*ECONNREFUSED/);

    // The artifact, through the real @actions/artifact client.
    const stored = artifacts.artifacts.get('cli-linux-x86_64');
    assert.ok(stored, `artifact stored: ${[...artifacts.artifacts.keys()]}`);
    assert.equal(sha256(stored.content), outputs.sha256);
    assert.equal(stored.retentionDays, 5);
    assert.equal(outputs['artifact-id'], String(stored.id));
    assert.equal(outputs['artifact-url'], `https://acme.ghe.com/acme/tool/actions/runs/4242/artifacts/${stored.id}`);

    // The SBOM and notices beside the binary, each also an artifact of its own.
    assert.equal(outputs['sbom-path'], `${binary}.cdx.json`);
    assert.equal(outputs['notices-path'], `${binary}.notices.txt`);
    assert.equal(outputs['checksums-path'], join(binary, '..', 'SHA256SUMS'));
    assert.equal(outputs['subject-digest'], `sha256:${outputs.sha256}`);
    assert.deepEqual(artifacts.artifacts.get('cli-linux-x86_64.cdx.json')?.content, readFileSync(outputs['sbom-path']));
    assert.deepEqual(artifacts.artifacts.get('cli-linux-x86_64.notices.txt')?.content, readFileSync(outputs['notices-path']));

    // The release, through the real Octokit: created as a draft, assets uploaded, then published.
    const release = github.releases.find((r) => r.tag === 'v1.0.0');
    assert.ok(release && !release.draft, 'published');
    assert.deepEqual(release.assets.map((a) => a.name).sort(), ['SHA256SUMS', 'cli-linux-x86_64', 'cli-linux-x86_64.cdx.json', 'cli-linux-x86_64.notices.txt']);
    assert.equal(release.assets.find((a) => a.name === 'SHA256SUMS')!.content.toString(), readFileSync(outputs['checksums-path']!, 'utf8'));
    assert.equal(outputs['sbom-asset-url'], 'https://github.com/acme/tool/releases/download/v1.0.0/cli-linux-x86_64.cdx.json');
    assert.equal(sha256(release.assets.find((a) => a.name === 'cli-linux-x86_64')!.content), outputs.sha256);
    assert.match(release.assets.find((a) => a.name === 'SHA256SUMS')!.content.toString(), new RegExp(`^${outputs.sha256}  cli-linux-x86_64$`, 'm'));
    assert.ok(outputs['release-url']);
    assert.match(outputs['asset-url']!, /cli-linux-x86_64$/);

    // The job summary and the secret.
    for (const fact of ['x86_64-linux-musl', 'any Linux x86_64 (static)', outputs.sha256!, 'passed', 'build', 'fuse and check']) assert.ok(result.summary.includes(fact), `summary has ${fact}`);
    assert.match(result.stdout, new RegExp(`::add-mask::${TOKEN}`));
    assert.equal(result.stdout.split(TOKEN).length, 2, 'the token appears only in its add-mask command');

    const ran = await run(binary, ['hi']);
    assert.equal(ran.stdout, 'words: hi\n');
  });

  test('the next job finds the interpreter in the tool cache; a duplicate artifact name is a clear 409', async () => {
    const again = await job({ release: 'false', 'artifact-name': '{name}-{os}-{arch}-second' });
    assert.equal(again.status, 0, again.stdout);
    assert.equal(again.outputs['interpreter-source'], 'tool-cache');
    assert.equal(again.outputs['cache-hit'], 'true');

    const duplicate = await job({ release: 'false' });
    assert.equal(duplicate.status, 1);
    assert.match(duplicate.stdout, /::error::input artifact-name: .*cli-linux-x86_64.*already exists/);
  });

  test('a re-run of a tag job whose first attempt died mid-release: artifacts replaced, the draft published with every asset once', async () => {
    const upload = (name: string) => new RegExp(`^/uploads/repos/acme/tool/releases/\\d+/assets\\?name=${name.replace(/\./g, '\\.')}(&|$)`);
    const tagJob = { GITHUB_REF: 'refs/tags/v2.0.0', GITHUB_SHA: 'abc123' };
    const inputs = { 'artifact-name': '{name}-{os}-{arch}-rerun', 'install-script': 'true' };

    // Attempt 1: the uploads host fails the notices, retries and all.
    github.inject('POST', upload('cli-linux-x86_64.notices.txt'), { kind: 'status', status: 502 }, 4);
    const first = await job(inputs, { env: tagJob });
    assert.equal(first.status, 1, first.stdout);
    const draft = github.releases.find((r) => r.tag === 'v2.0.0');
    assert.ok(draft?.draft);
    assert.match(first.stdout, new RegExp(`::warning::release v2\\.0\\.0 may be left a draft, at https://github\\.com/acme/tool/releases/tag/untagged-${draft.id.toString(16)}`));
    const firstArtifact = artifacts.artifacts.get('cli-linux-x86_64-rerun')!.id;

    // Attempt 2: a new job of the run, through one 502 and one dropped connection.
    github.inject('POST', upload('cli-linux-x86_64'), { kind: 'status', status: 502 });
    github.inject('GET', /^\/repos\/acme\/tool\/releases\?/, { kind: 'drop' });
    const second = await job(inputs, { env: { ...tagJob, ...artifacts.newJob(), GITHUB_RUN_ATTEMPT: '2' } });
    assert.equal(second.status, 0, second.stdout + second.stderr);
    assert.deepEqual(github.pendingFaults(), []);
    assert.equal(draft.draft, false, 'published by the re-run');
    assert.deepEqual(draft.assets.map((a) => a.name).sort(), ['SHA256SUMS', 'cli-linux-x86_64', 'cli-linux-x86_64.cdx.json', 'cli-linux-x86_64.notices.txt', 'install.sh']);
    assert.match(draft.assets.find((a) => a.name === 'install.sh')!.content.toString(), /^download_url='https:\/\/acme\.ghe\.com\/acme\/tool\/releases\/download\/v2\.0\.0'$/m);
    assert.equal(second.outputs['release-url'], 'https://github.com/acme/tool/releases/tag/v2.0.0');
    assert.ok(artifacts.deleted.some((a) => a.id === firstArtifact), "attempt 1's artifact was deleted");
    assert.equal(second.outputs['artifact-id'], String(artifacts.artifacts.get('cli-linux-x86_64-rerun')!.id));
    assert.match(second.stdout, /replaced the artifact "cli-linux-x86_64-rerun"/);
  });

  test('a toolchain planted in the runner\'s tool cache with another launcher never reaches a binary', async () => {
    const toolchain = await testToolchain(python);
    const plan = planToolchain({ python: selectPython(python), target: hostTarget(), sources: testSources() });
    const tools = mkdtempSync(join(tmpdir(), 'pybin-tc-planted-'));
    const slot = join(tools, `pybin-cpython-${plan.recipeHash.slice(0, 16)}`, plan.recipe.version, plan.target.arch);
    cpSync(toolchain.dir, slot, { recursive: true, verbatimSymlinks: true });
    writeFileSync(`${slot}.complete`, '');
    const planted = Buffer.from('#!/bin/sh\necho planted\n');
    writeFileSync(join(slot, toolchain.metadata.launcher), planted);
    const result = await job({ release: 'false', 'upload-artifact': 'false' }, { env: { RUNNER_TOOL_CACHE: tools } });
    assert.equal(result.status, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /::warning::the tool-cache holds a toolchain for CPython .* that cannot be used \(its contents changed since it was made/);
    assert.notEqual(result.outputs['interpreter-source'], 'tool-cache');
    const launcher = readFileSync(join(toolchain.dir, toolchain.metadata.launcher));
    const binary = readFileSync(result.outputs['binary-path']!);
    assert.deepEqual(binary.subarray(0, launcher.length), launcher, 'the binary starts with the genuine launcher');
    assert.equal(binary.indexOf(planted), -1);
  });

  test('interpreter: fetch downloads a prebuilt toolchain (checked), and refuses a bad one', async () => {
    const toolchain = await testToolchain(python);
    const packed = mkdtempSync(join(tmpdir(), 'pybin-packed-'));
    const entry = await packToolchain(toolchain.dir, packed, `${manifests.base}/files`);
    const file = entry.url.split('/').at(-1)!;
    manifests.serve(`/files/${file}`, readFileSync(join(packed, file)));
    manifests.serve('/good.json', { schema: 1, toolchains: [entry] });
    manifests.serve('/bad.json', { schema: 1, toolchains: [{ ...entry, sha256: '0'.repeat(64) }] });
    const fresh = () => ({ env: { RUNNER_TOOL_CACHE: mkdtempSync(join(tmpdir(), 'pybin-tc-')), PYBIN_CACHE_DIR: mkdtempSync(join(tmpdir(), 'pybin-fetch-cache-')) } });

    const fetched = await job({ interpreter: 'fetch', 'manifest-url': `${manifests.base}/good.json`, release: 'false', 'upload-artifact': 'false' }, fresh());
    assert.equal(fetched.status, 0, fetched.stdout);
    assert.equal(fetched.outputs['interpreter-source'], 'fetch');
    assert.equal(fetched.outputs['cache-hit'], 'false', 'downloaded in this job');
    assert.equal((await run(fetched.outputs['binary-path']!, ['fetched'])).stdout, 'words: fetched\n');

    const bad = await job({ interpreter: 'fetch', 'manifest-url': `${manifests.base}/bad.json`, release: 'false', 'upload-artifact': 'false' }, fresh());
    assert.equal(bad.status, 1);
    assert.match(bad.stdout, /::error::input manifest-url: checksum mismatch .*expected sha256 0{64}, got [0-9a-f]{64}\. The file was not unpacked/);

    const unreachable = await job({ interpreter: 'fetch', release: 'false', 'upload-artifact': 'false' }, fresh());
    assert.equal(unreachable.status, 1);
    assert.match(unreachable.stdout, /::error::input manifest-url: .*127\.0\.0\.1/);
  });

  test('a pull_request_target run may restore from the Actions cache but saves nothing to it', async () => {
    const result = await job(
      { release: 'false', 'upload-artifact': 'false' },
      { env: { GITHUB_EVENT_NAME: 'pull_request_target', RUNNER_TOOL_CACHE: mkdtempSync(join(tmpdir(), 'pybin-tc-prt-')) } },
    );
    assert.equal(result.status, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /a pull_request_target run may execute code from outside the repository, .*the interpreter is not saved there/);
    assert.match(result.stdout, /::warning::Failed to restore: /, 'a restore is still tried');
    assert.doesNotMatch(result.stdout, /Failed to save/, 'no save is tried');
  });

  test('pull requests: one sticky preview comment; a fork only warns', async () => {
    const pr = (number: number, head: string) => ({
      env: { GITHUB_EVENT_NAME: 'pull_request', GITHUB_REF: `refs/pull/${number}/merge` },
      event: { pull_request: { number, head: { repo: { full_name: head } }, base: { repo: { full_name: 'acme/tool' } } } },
    });
    for (const attempt of ['1', '2']) {
      const result = await job({ 'pr-comment': 'true', 'artifact-name': `{name}-{os}-{arch}-pr-${attempt}` }, pr(7, 'acme/tool'));
      assert.equal(result.status, 0, result.stdout);
    }
    const comments = github.comments.filter((c) => c.issue === 7);
    assert.equal(comments.length, 1, 'updated, not duplicated');
    assert.match(comments[0]!.body, /cli-linux-x86_64/);
    const second = artifacts.artifacts.get('cli-linux-x86_64-pr-2');
    assert.ok(second, 'the second push uploaded its artifact');
    assert.ok(comments[0]!.body.includes(`/artifacts/${second.id})`), 'the comment links the newest artifact');

    const fork = await job({ 'pr-comment': 'true', 'artifact-name': '{name}-{os}-{arch}-fork' }, pr(8, 'someone/tool'));
    assert.equal(fork.status, 0, fork.stdout);
    assert.match(fork.stdout, /::warning::.*fork.*read-only/);
    assert.equal(github.comments.filter((c) => c.issue === 8).length, 0);
  });

  test('target: the glibc target says which glibc the binary needs, as an output and in the summary', { skip: TEST_PYTHONS.includes('3.11') ? false : 'CPython 3.11 is not among PYBIN_TEST_PYTHONS' }, async () => {
    // 3.11: the glibc toolchain the compiled-dependency tests build too.
    const result = await job({ target: 'x86_64-linux-gnu', 'python-version': '3.11', name: 'cli-gnu', 'smoke-test': 'smoke' });
    assert.equal(result.status, 0, result.stdout + result.stderr);
    const { outputs } = result;
    assert.equal(outputs.target, 'x86_64-linux-gnu');
    const floor = (await testToolchain('3.11', 'x86_64-linux-gnu')).metadata.glibcFloor;
    assert.match(floor ?? '', /^2\.\d+$/);
    assert.equal(outputs['requires-glibc'], floor, 'a pure app needs what the launcher needs');
    assert.ok(result.summary.includes(`glibc ${floor} or newer (set by the launcher)`), result.summary);
    assert.equal((await run(outputs['binary-path']!, ['hi'])).stdout, 'words: hi\n');
  });

  test('target: aarch64-linux-musl on this x86_64 runner: cross-built, smoke-tested under qemu', { skip: CROSS_SKIP }, async () => {
    // The newest tested version: the aarch64 toolchain test/e2e/aarch64.test.ts builds too.
    const result = await job({ target: 'aarch64-linux-musl', name: 'cli-arm', 'smoke-test': 'smoke', release: 'false', 'upload-artifact': 'false' });
    assert.equal(result.status, 0, result.stdout + result.stderr);
    const { outputs } = result;
    assert.equal(outputs.target, 'aarch64-linux-musl');
    assert.equal(outputs['binary-name'], 'cli-arm-linux-aarch64');
    for (const fact of ['any Linux aarch64 (static)', 'passed: `smoke`']) assert.ok(result.summary.includes(fact), `summary has ${fact}`);
    assert.doesNotMatch(result.stdout, /install build tools/, 'nothing to install on a machine set up by scripts/setup.sh');
    assert.equal((await run('qemu-aarch64-static', [outputs['binary-path']!, 'hi'])).stdout, 'words: hi\n');
  });

  test('missing build tools on a runner without apt-get: the job fails before any work, naming the packages', async () => {
    // Nothing on PATH (node is started by its path): no compiler, no apt-get to install one.
    const result = await job({ release: 'false', 'upload-artifact': 'false' }, { env: { PATH: mkdtempSync(join(tmpdir(), 'pybin-empty-path-')) } });
    assert.equal(result.status, 1, result.stdout);
    assert.match(result.stdout, /::error::input target: the build needs these packages, which are missing: [^\n]*musl-tools[^\n]*; this runner has no apt-get, so install them before this step \(on Debian\/Ubuntu: `sudo apt-get update && sudo apt-get install [^`]*musl-tools/);
    assert.equal(result.outputs['binary-path'], undefined, 'nothing was built');
  });

  test('no secret reaches code pybin does not own: a dependency\'s build backend and the smoke-tested app see none', async () => {
    const work = mkdtempSync(join(tmpdir(), 'pybin-secrets-'));
    const seenByBackend = join(work, 'backend-env.json');
    const seenByApp = join(work, 'app-env.json');
    // A dependency built from source by pip: its PEP 517 backend (as a setup.py would) records what it sees.
    const dep = join(work, 'spydep');
    mkdirSync(join(dep, 'spydep'), { recursive: true });
    writeFileSync(join(dep, 'spydep', '__init__.py'), 'VALUE = 1\n');
    writeFileSync(join(dep, 'pyproject.toml'), '[build-system]\nrequires = []\nbuild-backend = "spy_backend"\nbackend-path = ["."]\n');
    writeFileSync(
      join(dep, 'spy_backend.py'),
      [
        'import json, os, zipfile',
        `json.dump(sorted(os.environ), open(${JSON.stringify(seenByBackend)}, "w"))`,
        'def get_requires_for_build_wheel(config_settings=None): return []',
        'def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):',
        '    name = "spydep-1.0-py3-none-any.whl"',
        '    info = "spydep-1.0.dist-info"',
        '    with zipfile.ZipFile(os.path.join(wheel_directory, name), "w") as z:',
        '        z.write("spydep/__init__.py", "spydep/__init__.py")',
        '        z.writestr(info + "/METADATA", "Metadata-Version: 2.1\\nName: spydep\\nVersion: 1.0\\n")',
        '        z.writestr(info + "/WHEEL", "Wheel-Version: 1.0\\nGenerator: spy\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n")',
        '        z.writestr(info + "/RECORD", "")',
        '    return name',
      ].join('\n') + '\n',
    );
    const app = join(work, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'requirements.txt'), `${dep}\n`);
    writeFileSync(join(app, '__main__.py'), 'import json, os, sys, spydep\njson.dump(sorted(os.environ), open(sys.argv[1], "w"))\n');
    const result = await job(
      { app, name: 'spy', 'smoke-test': seenByApp, release: 'false', 'upload-artifact': 'false' },
      { env: { ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'oidc-secret', ACTIONS_ID_TOKEN_REQUEST_URL: `${nowhere}/oidc`, GITHUB_TOKEN: TOKEN } },
    );
    assert.equal(result.status, 0, result.stdout + result.stderr);
    for (const [who, file] of [['the build backend', seenByBackend], ['the smoke-tested app', seenByApp]] as const) {
      const names = JSON.parse(readFileSync(file, 'utf8')) as string[];
      assert.ok(names.includes('PATH'), `${who} ran with an environment`);
      const leaked = names.filter((n) => /^(INPUT_|ACTIONS_)|^GITHUB_TOKEN$/.test(n));
      assert.deepEqual(leaked, [], `${who} saw ${leaked.join(', ')}`);
    }
  });

  test('a bad app dir fails before the build tools are looked at', async () => {
    const result = await job({ app: join(tmpdir(), 'pybin-no-such-app') }, { env: { PATH: mkdtempSync(join(tmpdir(), 'pybin-empty-path-')) } });
    assert.equal(result.status, 1, result.stdout);
    assert.match(result.stdout, /::error::input app: app dir .*pybin-no-such-app does not exist/);
    assert.doesNotMatch(result.stdout, /packages/);
  });

  test('bad inputs fail before any work, naming the input', async () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ interpreter: 'download' }, /input interpreter: interpreter must be one of auto, fetch, build/],
      [{ 'python-version': '3.9' }, /input python-version: .*supported: 3\.11/],
      [{ 'retention-days': '400' }, /input retention-days: .*1 to 90/],
      [{ 'artifact-name': 'my:app' }, /input artifact-name: .*contains a colon/],
      [{ release: 'true' }, /input release-tag: release is true but there is no tag/],
      [{ target: 'x86_64-windows' }, /input target: target must be auto or one of x86_64-linux-musl, /],
      [{ target: 'x86_64-linux-musl', manylinux: '2_28' }, /input manylinux: manylinux 2_28 applies to glibc targets only/],
      [{ manylinux: 'newest' }, /input manylinux: manylinux must be a glibc version like 2_28/],
    ];
    for (const [inputs, message] of cases) {
      const result = await job(inputs);
      assert.equal(result.status, 1, JSON.stringify(inputs));
      assert.match(result.stdout, new RegExp(`::error::${message.source}`));
      assert.equal(result.outputs['binary-path'], undefined, 'nothing was built');
      assert.doesNotMatch(result.stdout, /::group::/, 'no stage started');
      assert.match(result.summary, /pybin failed[\s\S]*input /, 'the summary says why');
    }
  });
});
