import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveCacheDir } from '../../../src/toolchain/cache.js';

test('the cache dir: option, then PYBIN_CACHE_DIR, then XDG', () => {
  assert.equal(resolveCacheDir('/a/b', {}), '/a/b');
  assert.equal(resolveCacheDir(undefined, { PYBIN_CACHE_DIR: '/c' }), '/c');
  assert.equal(resolveCacheDir(undefined, { XDG_CACHE_HOME: '/x' }), '/x/pybin');
});
