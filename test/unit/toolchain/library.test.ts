import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { BuildContext } from '../../../src/toolchain/context.js';
import { libraryKey, libraryPatchFiles, libraryRecipeIdentity } from '../../../src/toolchain/library.js';
import { LIBRARIES } from '../../../src/toolchain/recipes.js';
import { targetByTriple } from '../../../src/toolchain/targets.js';

const source = (sha256: string) => ({ id: 'x-1', version: '1', url: 'https://example.org/x.tar.gz', sha256 });

test('every library patch exists and says why in its header', () => {
  const patched = Object.values(LIBRARIES).filter((l) => l.patches?.length);
  assert.ok(patched.some((l) => l.name === 'openssl'), 'OpenSSL carries the AVX-512 patch');
  for (const library of patched) {
    for (const file of libraryPatchFiles(library)) {
      assert.ok(existsSync(file), file);
      assert.match(readFileSync(file, 'utf8'), /^Why: /, file);
    }
  }
});

test('a library is identified by its source and its patches\' contents, not where it downloads from', () => {
  const zlib = LIBRARIES.zlib;
  // No patches: the identity is what it was before patches existed, so unpatched libraries keep their cache keys.
  assert.deepEqual(libraryRecipeIdentity(zlib, source('a'.repeat(64))), { ...zlib, url: undefined, sha256: 'a'.repeat(64) });
  assert.deepEqual(libraryRecipeIdentity({ ...zlib, url: 'https://mirror.example/z.tgz' }, source('a'.repeat(64))), libraryRecipeIdentity(zlib, source('a'.repeat(64))));
  const openssl = libraryRecipeIdentity(LIBRARIES.openssl, source('b'.repeat(64)));
  assert.equal(openssl.patchContents?.length, LIBRARIES.openssl.patches?.length);
  // Another patch file's contents give another identity.
  const other = libraryRecipeIdentity({ ...LIBRARIES.openssl, patches: ['ctypes-static-pythonapi.patch'] }, source('b'.repeat(64)));
  assert.notDeepEqual(other.patchContents, openssl.patchContents);
});

test('a library\'s key follows how it is compiled, not how the launcher is linked', () => {
  const target = targetByTriple('x86_64-linux-musl');
  const key = (t: typeof target) => libraryKey({ target: t, compiler: { identity: 'cc 1' } } as unknown as BuildContext, LIBRARIES.zlib, source('a'.repeat(64)));
  assert.equal(key({ ...target, launcherLdflags: ['-Wl,--other'] }), key(target));
  assert.notEqual(key({ ...target, cflags: [...target.cflags, '-O3'] }), key(target));
});
