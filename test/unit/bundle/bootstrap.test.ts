import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pythonLiteral } from '../../../src/bundle/bootstrap.js';

test('CONFIG is written as Python: booleans and None as Python spells them, strings escaped', () => {
  assert.equal(
    pythonLiteral({ compiled: true, extract: '', app: ['a', 'b"c\\d\n'], entry: { module: 'pkg.cli', attr: 'main' }, none: null, off: false }),
    '{"compiled": True, "extract": "", "app": ["a", "b\\"c\\\\d\\n"], "entry": {"module": "pkg.cli", "attr": "main"}, "none": None, "off": False}',
  );
  assert.equal(pythonLiteral({ preload: { 'x.so': [] } }), '{"preload": {"x.so": []}}');
});
