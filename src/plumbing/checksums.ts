import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { sha256 } from './hash.js';

/**
 * SHA256SUMS lines (`<hex>  <file>`, or `<hex> *<file>`) of both, one per file
 * name, `overriding`'s winning, sorted by file name. Lines of another shape are kept.
 */
export function mergeChecksums(base: string, overriding: string): string {
  const byName = new Map<string, string>();
  for (const line of `${base}\n${overriding}`.split(/\r?\n/)) {
    if (line.trim()) byName.set(/^[0-9a-fA-F]+ [ *](.+)$/.exec(line)?.[1] ?? line, line);
  }
  return [...byName.keys()].sort().map((name) => `${byName.get(name)}\n`).join('');
}

/** Add or replace one binary's line in DIR/SHA256SUMS; returns the binary's sha256. */
export function updateChecksums(dir: string, binary: string): string {
  const digest = sha256(readFileSync(binary));
  const file = join(dir, 'SHA256SUMS');
  const existing = existsSync(file) ? readFileSync(file, 'utf8') : '';
  writeFileSync(`${file}.tmp`, mergeChecksums(existing, `${digest}  ${basename(binary)}\n`));
  renameSync(`${file}.tmp`, file);
  return digest;
}
