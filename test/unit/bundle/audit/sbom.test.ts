import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Spec, Validation } from '@cyclonedx/cyclonedx-library';
import { renderSbom, withBinaryHashes, type SbomFacts } from '../../../../src/bundle/audit/sbom.js';

const validator = new Validation.JsonStrictValidator(Spec.Version.v1dot6);

const facts: SbomFacts = {
  binary: 'app-linux-x86_64',
  app: { name: 'app', version: '1.0' },
  pybinVersion: '0.1.0',
  build: { python: '3.13.5', target: 'x86_64-linux-musl', entry: 'app.cli:main' },
  launcherSha256: 'a'.repeat(64),
  toolchain: [
    { name: 'cpython', version: '3.13.5', sha256: 'b'.repeat(64) },
    { name: 'zstd', version: '1.5.7', sha256: 'c'.repeat(64) },
    { name: 'not-in-the-table', version: '1', sha256: 'd'.repeat(64) },
  ],
  distributions: [
    { name: 'Requests', version: '2.0', license: { kind: 'named', names: ['Apache Software License'], from: 'classifier' }, licenseFiles: [], wheelSha256: 'e'.repeat(64) },
    { name: 'dual', version: '1', license: { kind: 'spdx', expression: 'Apache-2.0 OR BSD-3-Clause', from: 'License-Expression' }, licenseFiles: [] },
    { name: 'one', version: '1', license: { kind: 'spdx', expression: 'MIT', from: 'classifier' }, licenseFiles: [] },
    { name: 'nothing', version: '1', license: { kind: 'unknown' }, licenseFiles: [] },
  ],
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed JSON, read field by field
type Json = Record<string, any>;

test('renderSbom: valid CycloneDX 1.6; a purl, license and hash per component; build facts as pybin properties', async () => {
  const json = renderSbom(facts);
  assert.equal(await validator.validate(json), null);
  const sbom = JSON.parse(json) as Json;
  assert.equal(sbom.specVersion, '1.6');
  assert.equal(sbom.metadata.timestamp, undefined);
  assert.equal(sbom.serialNumber, undefined, 'a random serial number would make every build differ');
  assert.deepEqual(sbom.metadata.tools.components.map((t: Json) => [t.name, t.version]), [['pybin', '0.1.0']]);
  assert.deepEqual(sbom.metadata.properties, [
    { name: 'pybin:entry', value: 'app.cli:main' },
    { name: 'pybin:python', value: '3.13.5' },
    { name: 'pybin:target', value: 'x86_64-linux-musl' },
  ]);
  assert.equal(sbom.metadata.component.components[0].hashes[0].content, 'a'.repeat(64));
  const byPurl = new Map<string, Json>((sbom.components as Json[]).map((c) => [c.purl as string, c]));
  assert.deepEqual([...byPurl.keys()].sort(), [
    'pkg:generic/cpython@3.13.5', 'pkg:generic/not-in-the-table@1', 'pkg:generic/zstd@1.5.7',
    'pkg:pypi/dual@1', 'pkg:pypi/nothing@1', 'pkg:pypi/one@1', 'pkg:pypi/requests@2.0',
  ]);
  assert.deepEqual(byPurl.get('pkg:generic/cpython@3.13.5')!.licenses, [{ license: { id: 'PSF-2.0' } }]);
  assert.deepEqual(byPurl.get('pkg:generic/zstd@1.5.7')!.licenses, [{ expression: 'BSD-3-Clause OR GPL-2.0-only' }]);
  assert.equal(byPurl.get('pkg:generic/not-in-the-table@1')!.licenses, undefined);
  assert.deepEqual(byPurl.get('pkg:pypi/requests@2.0')!.licenses, [{ license: { name: 'Apache Software License' } }]);
  assert.deepEqual(byPurl.get('pkg:pypi/requests@2.0')!.hashes, [{ alg: 'SHA-256', content: 'e'.repeat(64) }]);
  assert.deepEqual(byPurl.get('pkg:pypi/dual@1')!.licenses, [{ expression: 'Apache-2.0 OR BSD-3-Clause' }]);
  assert.deepEqual(byPurl.get('pkg:pypi/one@1')!.licenses, [{ license: { id: 'MIT' } }]);
  assert.equal(byPurl.get('pkg:pypi/nothing@1')!.licenses, undefined);
  const root = (sbom.dependencies as Json[]).find((d) => d.ref === 'binary');
  assert.equal(root?.dependsOn.length, 7, 'the binary depends on everything inside it');
});

test('renderSbom: the same facts give the same bytes; only a given timestamp dates it', () => {
  assert.equal(renderSbom(facts), renderSbom({ ...facts, distributions: [...facts.distributions].reverse() }));
  const dated = JSON.parse(renderSbom({ ...facts, timestamp: new Date(1_700_000_000_000) })) as Json;
  assert.equal(dated.metadata.timestamp, '2023-11-14T22:13:20.000Z');
});

test('withBinaryHashes: adds the binary\'s and the ZIP\'s sha256, still valid, and is a pure function of its input', async () => {
  const inside = renderSbom(facts);
  const beside = withBinaryHashes(inside, { binarySha256: 'f'.repeat(64), zipSha256: '9'.repeat(64) });
  assert.equal(await validator.validate(beside), null);
  const component = (JSON.parse(beside) as Json).metadata.component;
  assert.deepEqual(component.hashes, [{ alg: 'SHA-256', content: 'f'.repeat(64) }]);
  assert.deepEqual(component.components.map((c: Json) => [c.name, c.hashes[0].content]), [['launcher', 'a'.repeat(64)], ['app.zip', '9'.repeat(64)]]);
  assert.equal(beside, withBinaryHashes(inside, { binarySha256: 'f'.repeat(64), zipSha256: '9'.repeat(64) }));
});

test('the schema check catches a broken document (so the checks above can fail)', async () => {
  const broken = JSON.parse(renderSbom(facts)) as Json;
  delete broken.components[0].name;
  assert.notEqual(await validator.validate(JSON.stringify(broken)), null);
});
