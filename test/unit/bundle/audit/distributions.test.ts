import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseCoreMetadata, parsePipReport, readDistributions } from '../../../../src/bundle/audit/distributions.js';
import { normalizeName } from '../../../../src/bundle/dist-info.js';
import { tempDir } from '../../../support/tmp.js';

test('parseCoreMetadata: headers up to the blank line, repeated fields as lists, indented lines continue a field', () => {
  const metadata = parseCoreMetadata(
    [
      'Metadata-Version: 2.1',
      'Name: Some_Dist',
      'Version: 1.2.3',
      'License: Copyright (c) 2024 Someone',
      '        |',
      '        |Permission is hereby granted',
      'Classifier: License :: OSI Approved :: MIT License',
      'Classifier: Programming Language :: Python',
      'License-File: LICENSE',
      'License-File: NOTICE',
      '',
      'License: not a header: the description',
    ].join('\n'),
  );
  assert.equal(metadata.name, 'Some_Dist');
  assert.equal(metadata.version, '1.2.3');
  assert.equal(metadata.license, 'Copyright (c) 2024 Someone\n\nPermission is hereby granted');
  assert.deepEqual(metadata.classifiers, ['License :: OSI Approved :: MIT License', 'Programming Language :: Python']);
  assert.deepEqual(metadata.licenseFiles, ['LICENSE', 'NOTICE']);
  assert.equal(metadata.licenseExpression, undefined);
});

test('normalizeName: PEP 503', () => {
  assert.equal(normalizeName('Zope.Interface__x--Y'), 'zope-interface-x-y');
});

function distInfo(stage: string, dir: string, metadata: string, files: Record<string, string> = {}): void {
  mkdirSync(join(stage, dir), { recursive: true });
  writeFileSync(join(stage, dir, 'METADATA'), metadata);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(stage, dir, path, '..'), { recursive: true });
    writeFileSync(join(stage, dir, path), text);
  }
}

test('readDistributions: license files under licenses/ (PEP 639), beside METADATA, or found by name; wheel hashes by name and version', () => {
  const stage = tempDir('stage');
  distInfo(stage, 'new_style-2.0.dist-info', 'Name: new-style\nVersion: 2.0\nLicense-Expression: MIT\nLicense-File: LICENSE\nLicense-File: sub/NOTICE\n', {
    'licenses/LICENSE': 'MIT text',
    'licenses/sub/NOTICE': 'notice text',
  });
  distInfo(stage, 'old_style-1.0.dist-info', 'Name: Old_Style\nVersion: 1.0\nLicense-File: LICENSE.txt\n', { 'LICENSE.txt': 'old text' });
  distInfo(stage, 'unlisted-3.0.dist-info', 'Name: unlisted\nVersion: 3.0\nLicense: UNKNOWN\n', { 'COPYING': 'gpl text', 'RECORD': '' });
  mkdirSync(join(stage, 'not_a_dist'));
  const wheels = new Map([
    ['new-style', { version: '2.0', sha256: 'a'.repeat(64) }],
    ['old-style', { version: '0.9', sha256: 'b'.repeat(64) }],
  ]);
  const dists = readDistributions(stage, wheels);
  assert.deepEqual(dists.map((d) => [d.name, d.version]), [['new-style', '2.0'], ['Old_Style', '1.0'], ['unlisted', '3.0']]);
  assert.deepEqual(dists[0]!.licenseFiles, [
    { path: 'new_style-2.0.dist-info/licenses/LICENSE', text: 'MIT text' },
    { path: 'new_style-2.0.dist-info/licenses/sub/NOTICE', text: 'notice text' },
  ]);
  assert.equal(dists[0]!.wheelSha256, 'a'.repeat(64));
  assert.deepEqual(dists[1]!.licenseFiles, [{ path: 'old_style-1.0.dist-info/LICENSE.txt', text: 'old text' }]);
  assert.equal(dists[1]!.wheelSha256, undefined, 'a report of another version says nothing of this one');
  assert.deepEqual(dists[2]!.licenseFiles, [{ path: 'unlisted-3.0.dist-info/COPYING', text: 'gpl text' }]);
  assert.deepEqual(dists[2]!.license, { kind: 'unknown' });
});

test('parsePipReport: pip 22 and newer report shapes; only wheels have a hash; no URL is kept', () => {
  const report = {
    version: '1',
    install: [
      { metadata: { name: 'Old_Pip', version: '1.0' }, download_info: { url: 'file:///mirror/old_pip-1.0-py3-none-any.whl', archive_info: { hash: `sha256=${'1'.repeat(64)}` } } },
      { metadata: { name: 'new-pip', version: '2.0' }, download_info: { url: 'https://files.example/new_pip-2.0-py3-none-any.whl', archive_info: { hash: `sha256=${'2'.repeat(64)}`, hashes: { sha256: '3'.repeat(64) } } } },
      { metadata: { name: 'from-sdist', version: '3.0' }, download_info: { url: 'https://files.example/from-sdist-3.0.tar.gz', archive_info: { hashes: { sha256: '4'.repeat(64) } } } },
      { metadata: { name: 'the-app', version: '0.1' }, download_info: { url: 'file:///src/app', dir_info: {} } },
    ],
  };
  const wheels = parsePipReport(JSON.stringify(report));
  assert.deepEqual(Object.fromEntries(wheels), {
    'old-pip': { version: '1.0', sha256: '1'.repeat(64) },
    'new-pip': { version: '2.0', sha256: '3'.repeat(64) },
    'from-sdist': { version: '3.0' },
    'the-app': { version: '0.1' },
  });
  assert.ok(!JSON.stringify(Object.fromEntries(wheels)).includes('file:'));
});

test('readDistributions: a License-File naming a path out of its .dist-info, or a symlink, is not read (it could copy pybin\'s environment into the notices)', () => {
  const stage = tempDir('stage');
  const secret = join(tempDir('outside'), 'secret.txt');
  writeFileSync(secret, 'INPUT_TOKEN=ghs_secret');
  const outOfDir = `${'../'.repeat(12)}${secret.slice(1)}`;
  distInfo(stage, 'evil-1.0.dist-info', [
    'Name: evil', 'Version: 1.0',
    `License-File: ${outOfDir}`,
    'License-File: ../../../../../../../../proc/self/environ',
    `License-File: ${secret}`,
    'License-File: linked',
    'License-File: LICENSE',
  ].join('\n') + '\n', { LICENSE: 'the real license' });
  symlinkSync(secret, join(stage, 'evil-1.0.dist-info', 'linked'));
  const [evil] = readDistributions(stage);
  assert.deepEqual(evil!.licenseFiles, [{ path: 'evil-1.0.dist-info/LICENSE', text: 'the real license' }]);
  assert.ok(!JSON.stringify(evil).includes('ghs_secret'));
});

test('readDistributions: a found-by-name license that is a symlink out of the .dist-info is not read either', () => {
  const stage = tempDir('stage');
  const secret = join(tempDir('outside'), 'secret.txt');
  writeFileSync(secret, 'INPUT_TOKEN=ghs_secret');
  distInfo(stage, 'evil-1.0.dist-info', 'Name: evil\nVersion: 1.0\n');
  symlinkSync(secret, join(stage, 'evil-1.0.dist-info', 'LICENSE'));
  assert.deepEqual(readDistributions(stage)[0]!.licenseFiles, []);
});
