import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deriveLicense, spdxExpression } from '../../../../src/bundle/audit/licenses.js';

test('spdxExpression: valid SPDX expressions only, one line', () => {
  assert.equal(spdxExpression('MIT'), 'MIT');
  assert.equal(spdxExpression(' Apache-2.0 OR BSD-3-Clause '), 'Apache-2.0 OR BSD-3-Clause');
  assert.equal(spdxExpression('Apache 2.0'), undefined);
  assert.equal(spdxExpression('BSD'), undefined);
  assert.equal(spdxExpression('MIT\nPermission is hereby granted'), undefined);
  assert.equal(spdxExpression(''), undefined);
});

test('deriveLicense: License-Expression first, then an SPDX License field', () => {
  assert.deepEqual(deriveLicense({ licenseExpression: 'MIT OR Apache-2.0', license: 'BSD', classifiers: ['License :: OSI Approved :: BSD License'] }), {
    kind: 'spdx', expression: 'MIT OR Apache-2.0', from: 'License-Expression',
  });
  assert.deepEqual(deriveLicense({ license: 'BSD-3-Clause', classifiers: ['License :: OSI Approved :: BSD License'] }), {
    kind: 'spdx', expression: 'BSD-3-Clause', from: 'License',
  });
});

test('deriveLicense: one unambiguous classifier is an SPDX id; ambiguous ones stay names', () => {
  assert.deepEqual(deriveLicense({ license: 'Apache 2.0', classifiers: ['License :: OSI Approved :: MIT License'] }), { kind: 'spdx', expression: 'MIT', from: 'classifier' });
  assert.deepEqual(deriveLicense({ classifiers: ['License :: OSI Approved :: BSD License'] }), { kind: 'named', names: ['BSD License'], from: 'classifier' });
  assert.deepEqual(deriveLicense({ classifiers: ['License :: OSI Approved :: Apache Software License', 'License :: OSI Approved :: MIT License'] }), {
    kind: 'named', names: ['Apache Software License', 'MIT'], from: 'classifier',
  });
  // "OSI Approved" alone says nothing of which license.
  assert.deepEqual(deriveLicense({ classifiers: ['License :: OSI Approved', 'Programming Language :: Python'] }), { kind: 'unknown' });
});

test('deriveLicense: a short free-text License names it; UNKNOWN and nothing are unknown', () => {
  assert.deepEqual(deriveLicense({ license: 'Apache 2.0', classifiers: [] }), { kind: 'named', names: ['Apache 2.0'], from: 'License' });
  const fullText = `Copyright (c) 2020 Someone\n\n${'Permission is hereby granted, free of charge, '.repeat(4)}`;
  const named = deriveLicense({ license: fullText, classifiers: [] });
  assert.deepEqual(named, { kind: 'named', names: ['Copyright (c) 2020 Someone'], from: 'License' });
  assert.deepEqual(deriveLicense({ license: 'UNKNOWN', classifiers: [] }), { kind: 'unknown' });
  assert.deepEqual(deriveLicense({ classifiers: [] }), { kind: 'unknown' });
});
