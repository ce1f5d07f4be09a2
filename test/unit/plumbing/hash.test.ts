import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalJson, hashOf } from '../../../src/plumbing/hash.js';

test('canonical JSON does not depend on key order', () => {
  assert.equal(canonicalJson({ b: 1, a: { d: [2, { y: 1, x: 2 }], c: 3 } }), '{"a":{"c":3,"d":[2,{"x":2,"y":1}]},"b":1}');
  assert.equal(hashOf({ a: 1, b: 2 }), hashOf({ b: 2, a: 1 }));
  assert.notEqual(hashOf({ a: 1 }), hashOf({ a: 2 }));
});
