import assert from 'node:assert/strict';
import { test } from 'node:test';
import { splitArgs } from '../../../src/plumbing/split-args.js';

test('smoke-test arguments split like a shell would', () => {
  assert.deepEqual(splitArgs('--name "big world" -v'), ['--name', 'big world', '-v']);
  assert.deepEqual(splitArgs(`a 'b c' d\\ e "" "x\\"y"`), ['a', 'b c', 'd e', '', 'x"y']);
  assert.deepEqual(splitArgs('   '), []);
  assert.throws(() => splitArgs('"open'), /unterminated " quote/);
});
