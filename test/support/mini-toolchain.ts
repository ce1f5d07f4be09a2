import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { recordContent } from '../../src/toolchain/content.js';

/** What makeToolchain's metadata says it is, and the name packToolchain gives its archive. */
export const identity = { python: '3.13.5', target: 'x86_64-linux-musl', recipeHash: 'a'.repeat(64) };
export const FILE_NAME = `pybin-cpython-3.13.5-x86_64-linux-musl-${'a'.repeat(16)}.tar.gz`;

/** A toolchain dir in miniature: metadata, an executable, a wrapper, data files, a relative symlink. */
export function makeToolchain(dir: string): string {
  mkdirSync(join(dir, 'bin'), { recursive: true });
  mkdirSync(join(dir, 'lib', 'python3.13'), { recursive: true });
  mkdirSync(join(dir, 'licenses', 'openssl'), { recursive: true });
  const metadata = { ...identity, launcher: 'bin/pybin-launcher', stdlib: 'lib/python3.13', pipWheel: 'lib/wheels/pip.whl' };
  writeFileSync(join(dir, 'pybin-toolchain.json'), `${JSON.stringify(metadata, null, 2)}\n`);
  writeFileSync(join(dir, 'bin', 'pybin-launcher'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 1, 2, 3]));
  chmodSync(join(dir, 'bin', 'pybin-launcher'), 0o700);
  writeFileSync(join(dir, 'bin', 'python3'), '#!/bin/sh\nexec "$(dirname "$0")/pybin-launcher" "$@"\n');
  chmodSync(join(dir, 'bin', 'python3'), 0o755);
  symlinkSync('python3', join(dir, 'bin', 'python'));
  writeFileSync(join(dir, 'lib', 'python3.13', 'os.pyc'), 'not really bytecode');
  chmodSync(join(dir, 'lib', 'python3.13', 'os.pyc'), 0o600);
  // Depth-first directory order would put openssl/ first; the archive's order is by full name.
  writeFileSync(join(dir, 'licenses', 'openssl', 'LICENSE.txt'), 'Apache-2.0');
  writeFileSync(join(dir, 'licenses', 'openssl-3.5.7.txt'), 'notice');
  recordContent(dir);
  return dir;
}

export const EXPECTED = [
  { name: 'bin/', mode: 0o755, type: '5' },
  { name: 'bin/pybin-launcher', mode: 0o755, type: '0' },
  { name: 'bin/python', mode: 0o777, type: '2' },
  { name: 'bin/python3', mode: 0o755, type: '0' },
  { name: 'lib/', mode: 0o755, type: '5' },
  { name: 'lib/python3.13/', mode: 0o755, type: '5' },
  { name: 'lib/python3.13/os.pyc', mode: 0o644, type: '0' },
  { name: 'licenses/', mode: 0o755, type: '5' },
  { name: 'licenses/openssl-3.5.7.txt', mode: 0o644, type: '0' },
  { name: 'licenses/openssl/', mode: 0o755, type: '5' },
  { name: 'licenses/openssl/LICENSE.txt', mode: 0o644, type: '0' },
  { name: 'pybin-content.sha256', mode: 0o644, type: '0' },
  { name: 'pybin-toolchain.json', mode: 0o644, type: '0' },
];
