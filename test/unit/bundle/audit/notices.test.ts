import assert from 'node:assert/strict';
import { test } from 'node:test';
import { distributionNotices, renderNotices } from '../../../../src/bundle/audit/notices.js';

test('distributionNotices: a section per license file, else what the metadata says', () => {
  const sections = distributionNotices([
    { name: 'a', version: '1', license: { kind: 'spdx', expression: 'MIT', from: 'License' }, licenseFiles: [{ path: 'a-1.dist-info/LICENSE', text: 'MIT text' }] },
    { name: 'b', version: '2', license: { kind: 'named', names: ['BSD License'], from: 'classifier' }, licenseFiles: [] },
  ]);
  assert.deepEqual(sections, [
    { title: 'a 1 (MIT)', source: 'a-1.dist-info/LICENSE', text: 'MIT text' },
    { title: 'b 2 (BSD License)', source: 'its metadata', text: 'No license file is shipped with b; its metadata gives the license as: BSD License.\n' },
  ]);
});

test('renderNotices: one file, a headed section per text, surrounding blank lines trimmed', () => {
  const text = renderNotices('app', [
    { title: 'cpython 3.13.5', source: "the interpreter's licenses/cpython.txt", text: '\n\nPSF LICENSE\n\n' },
    { title: 'a 1 (MIT)', source: 'a-1.dist-info/LICENSE', text: 'MIT text' },
  ]);
  assert.match(text, /^Third-party notices for app\n/);
  assert.match(text, /={78}\ncpython 3\.13\.5\n\(from the interpreter's licenses\/cpython\.txt\)\n={78}\n\nPSF LICENSE\n/);
  assert.match(text, /={78}\na 1 \(MIT\)\n\(from a-1\.dist-info\/LICENSE\)\n={78}\n\nMIT text\n$/);
});
