import { chmodSync, closeSync, existsSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { basename, join } from 'node:path';
import { sha256 } from '../toolchain/hash.js';

/** launcher + ZIP = the executable, written to `out` with mode 0755. */
export function fuse(launcher: string, zip: string, out: string): void {
  const fd = openSync(out, 'w', 0o755);
  try {
    writeSync(fd, readFileSync(launcher));
    writeSync(fd, readFileSync(zip));
  } finally {
    closeSync(fd);
  }
  chmodSync(out, 0o755);
}

/** Add or replace one binary's line in DIR/SHA256SUMS (sorted, `sha256  name`). */
export function updateChecksums(dir: string, binary: string): string {
  const digest = sha256(readFileSync(binary));
  const file = join(dir, 'SHA256SUMS');
  const name = basename(binary);
  const lines = existsSync(file)
    ? readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() && !l.endsWith(`  ${name}`))
    : [];
  lines.push(`${digest}  ${name}`);
  lines.sort((a, b) => a.slice(66).localeCompare(b.slice(66)));
  writeFileSync(`${file}.tmp`, `${lines.join('\n')}\n`);
  renameSync(`${file}.tmp`, file);
  return digest;
}
