import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import lockfile from 'proper-lockfile';
import { PybinError, errorMessage } from './errors.js';

/** Directories that appear whole or not at all, and the check that one can be written. */

export function ensureWritableDir(dir: string, what: string, input: string): void {
  const probe = join(dir, `.write-test-${process.pid}`);
  try {
    makeDirs(dir);
    writeFileSync(probe, '');
    rmSync(probe);
  } catch (error) {
    throw new PybinError(
      `${what} ${dir} is not writable (${errorMessage(error)}); choose a writable directory with --${input}`,
      input,
    );
  }
}

/**
 * mkdir -p, one level at a time from the nearest existing ancestor. Node's
 * recursive mkdir spins for ever under /proc (mkdir says ENOENT for a parent
 * that exists), where this fails at once.
 */
export function makeDirs(dir: string): void {
  const missing: string[] = [];
  let at = resolve(dir);
  while (!existsSync(at)) {
    missing.unshift(at);
    const parent = dirname(at);
    if (parent === at) break;
    at = parent;
  }
  if (existsSync(at) && !statSync(at).isDirectory()) throw new Error(`${at} is not a directory`);
  for (const path of missing) mkdirSync(path);
}

/**
 * Whether a finished dir may be used as it is: `problem` says why not (a
 * damaged or edited one), and `redoing` hears that reason before the dir is
 * removed and made again.
 */
export interface WholeCheck {
  problem: (dir: string) => string | undefined;
  redoing: (why: string) => void;
}

/**
 * Produce `finalDir` once: concurrent callers wait on a lock, the build runs in
 * a temporary sibling and is renamed into place only when complete, so a
 * directory at `finalDir` is always a finished one. With `check`, a finished
 * one that fails it is removed and built again, under the same lock.
 */
export async function buildOnce(
  finalDir: string,
  build: (workDir: string) => Promise<void>,
  check?: WholeCheck,
): Promise<{ hit: boolean }> {
  if (existsSync(finalDir) && !check?.problem(finalDir)) return { hit: true };
  const parent = dirname(finalDir);
  mkdirSync(parent, { recursive: true });
  const release = await lockfile.lock(finalDir, {
    realpath: false,
    lockfilePath: `${finalDir}.lock`,
    stale: 60_000,
    update: 10_000,
    retries: { forever: true, minTimeout: 250, maxTimeout: 2_000, factor: 1.5 },
  });
  try {
    if (existsSync(finalDir)) {
      const problem = check?.problem(finalDir);
      if (!problem) return { hit: true };
      check!.redoing(problem);
      rmSync(finalDir, { recursive: true, force: true });
    }
    const workDir = join(parent, `.tmp-${basename(finalDir)}-${process.pid}-${randomBytes(4).toString('hex')}`);
    try {
      await build(workDir);
      renameSync(workDir, finalDir);
    } finally {
      rmSync(workDir, { recursive: true, force: true });
    }
    return { hit: false };
  } finally {
    await release();
  }
}
