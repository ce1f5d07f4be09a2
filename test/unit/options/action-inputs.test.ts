import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readActionOptions, type RunFacts } from '../../../src/options/action-inputs.js';
import { expandArtifactName } from '../../../src/publish/artifact.js';

const read = (inputs: Record<string, string>, facts: RunFacts = {}) => readActionOptions((name) => inputs[name] ?? '', facts);

test('defaults: auto interpreter, cache, artifact per os/arch, no release off a tag', () => {
  const options = read({}, { repository: 'acme/tool', defaultManifestUrl: 'https://example.test/m.json' });
  assert.equal(options.bundle.appDir, '.');
  assert.equal(options.bundle.fallbackName, 'tool');
  assert.equal(options.bundle.compression, 'deflate');
  assert.deepEqual(options.interpreter, { mode: 'auto', manifestUrl: 'https://example.test/m.json', pinnedOnly: true }, 'the default manifest: pinned toolchains only');
  assert.deepEqual(read({ 'manifest-url': 'https://mine.example/m.json' }, { defaultManifestUrl: 'https://example.test/m.json' }).interpreter, { mode: 'auto', manifestUrl: 'https://mine.example/m.json' });
  assert.equal(options.actionsCache, true);
  assert.equal(options.publish?.artifactName, '{name}-{os}-{arch}');
  assert.equal(options.publish?.archive, 'none');
  assert.equal(options.publish?.releaseTag, undefined);
  assert.equal(options.publish?.overwrite, true);
  assert.equal(options.publish?.installScript, false);
});

test('install-script: a boolean, false unless asked', () => {
  assert.equal(read({ 'install-script': 'true' }, { tag: 'v1.2.0' }).publish?.installScript, true);
  assert.equal(read({ 'install-script': 'false' }).publish?.installScript, false);
  assert.throws(() => read({ 'install-script': 'yes please' }), { input: 'install-script', message: /true or false/ });
});

test('release: auto on a tag, true needs a tag, false never', () => {
  assert.equal(read({}, { tag: 'v1.2.0' }).publish?.releaseTag, 'v1.2.0');
  assert.equal(read({ release: 'false' }, { tag: 'v1.2.0' }).publish?.releaseTag, undefined);
  assert.equal(read({ release: 'true', 'release-tag': 'nightly' }).publish?.releaseTag, 'nightly');
  assert.throws(() => read({ release: 'true' }), { input: 'release-tag', message: /release is true but there is no tag/ });
  assert.throws(() => read({ 'release-tag': 'v2' }), { input: 'release-tag', message: /release is auto and this run is not for a tag.*set release: true/ });
  assert.equal(read({ 'release-tag': 'v2' }, { tag: 'v2.0.0' }).publish?.releaseTag, 'v2', 'on a tag run, auto publishes to the tag asked for');
  assert.throws(() => read({ release: 'sometimes' }), { input: 'release', message: /one of auto, true, false/ });
});

test('bad inputs name the input and what is allowed', () => {
  assert.throws(() => read({ interpreter: 'download' }), { input: 'interpreter', message: /one of auto, fetch, build, got "download"/ });
  assert.throws(() => read({ 'python-version': '2.7' }), { input: 'python-version', message: /supported: 3\.11/ });
  assert.throws(() => read({ 'python-version': 'latest' }), { input: 'python-version' });
  assert.throws(() => read({ 'retention-days': '0' }), { input: 'retention-days', message: /1 to 90/ });
  assert.throws(() => read({ 'retention-days': '91' }), { input: 'retention-days' });
  assert.throws(() => read({ 'retention-days': '7.5' }), { input: 'retention-days' });
  assert.throws(() => read({ 'artifact-name': 'bin/{os}' }), { input: 'artifact-name', message: /contains a slash/ });
  assert.throws(() => read({ 'artifact-name': 'a:b' }), { input: 'artifact-name' });
  assert.throws(() => read({ compression: 'zstd' }), { input: 'compression' });
  assert.throws(() => read({ archive: '7z' }), { input: 'archive' });
  assert.throws(() => read({ cache: 'yes' }), { input: 'cache', message: /true or false/ });
  assert.throws(() => read({ 'manifest-url': 'ftp://x/m.json' }), { input: 'manifest-url' });
  assert.throws(() => read({ 'manifest-url': 'http://example.com/m.json' }), { input: 'manifest-url', message: /must be an https URL/ });
});

test('exclude is one glob per line; retention and names pass through', () => {
  const options = read({ exclude: ' docs/**\n\n*.md \n', 'retention-days': '30', 'artifact-name': '{name}-py{python}-{os}-{arch}' });
  assert.deepEqual(options.bundle.excludes, ['docs/**', '*.md']);
  assert.equal(options.publish?.retentionDays, 30);
  assert.equal(
    expandArtifactName(options.publish!.artifactName, { name: 'app', os: 'linux', arch: 'x86_64', python: '3.13.5' }),
    'app-py3.13.5-linux-x86_64',
  );
});
