import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { treeDigest } from '../plumbing/tree-digest.js';

/**
 * A toolchain's content digest, written into it when it is made (built, or
 * unpacked from a checked download) and compared at every later use: a
 * truncated, partly pruned or edited toolchain is never used. This guards
 * what pybin made itself; against someone who can write a cache it only
 * guards with a digest from elsewhere (a pinned manifest, see pins.ts).
 */
export const CONTENT_FILE = 'pybin-content.sha256';

/** The digest of a toolchain dir as it is now (the record itself left out). */
export function contentDigest(dir: string): string {
  return treeDigest(dir, [CONTENT_FILE]);
}

/** Record what the toolchain holds now; the digest. */
export function recordContent(dir: string): string {
  const digest = contentDigest(dir);
  writeFileSync(join(dir, CONTENT_FILE), `${digest}\n`);
  return digest;
}

/** The recorded digest, if there is one. */
export function recordedContent(dir: string): string | undefined {
  const file = join(dir, CONTENT_FILE);
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
}

/**
 * Why this toolchain dir cannot be used as made, or undefined when its
 * contents are what was recorded (and, given `expected`, what that says).
 */
export function contentProblem(dir: string, expected?: string): string | undefined {
  const recorded = recordedContent(dir);
  if (!recorded) return `it has no ${CONTENT_FILE} (made by an older pybin, or pruned)`;
  const actual = contentDigest(dir);
  if (actual !== recorded) return `its contents changed since it was made (content digest ${actual.slice(0, 16)}…, recorded ${recorded.slice(0, 16)}…)`;
  if (expected && actual !== expected) return `its content digest ${actual.slice(0, 16)}… is not the pinned ${expected.slice(0, 16)}…`;
  return undefined;
}
