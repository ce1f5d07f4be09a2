import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { TestContext } from 'node:test';
import { findOnPath } from '../../src/toolchain/compiler.js';
import { run, type RunResult } from './run.js';

const CHROOT = findOnPath('chroot', `${process.env.PATH}:/usr/sbin:/sbin`);

/**
 * Run a binary as /app inside an empty root (only the binary, an empty /tmp and
 * `files`, by their path in the root), or say why not: with no chroot command,
 * or not as root where chroot is refused. As root, a chroot that fails fails
 * the test: it is never skipped there.
 */
export async function inChroot(
  t: TestContext,
  binary: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
  files: Record<string, string | Buffer> = {},
): Promise<RunResult | undefined> {
  if (!CHROOT) {
    t.diagnostic('chroot run skipped: no chroot command on PATH, /usr/sbin or /sbin');
    return undefined;
  }
  const check = await run(CHROOT, ['/', 'true']);
  if (check.status !== 0) {
    const why = `chroot / true failed: ${check.stderr.trim() || `exit ${check.status}`}`;
    assert.notEqual(process.getuid?.(), 0, `${why}, running as root`);
    t.diagnostic(`chroot run skipped: not root (uid ${process.getuid?.()}) and ${why}`);
    return undefined;
  }
  const root = mkdtempSync(join(tmpdir(), 'pybin-chroot-'));
  cpSync(binary, join(root, 'app'));
  mkdirSync(join(root, 'tmp'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return run(CHROOT, [root, '/app', ...args], { env });
}
