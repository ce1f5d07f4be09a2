import assert from 'node:assert/strict';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { TestContext } from 'node:test';
import { readElfDynamic } from '../../src/plumbing/elf.js';
import { findOnPath } from '../../src/toolchain/compiler.js';
import { run, type RunResult } from './run.js';

const CHROOT = findOnPath('chroot', `${process.env.PATH}:/usr/sbin:/sbin`);
const MOUNT = findOnPath('mount', `${process.env.PATH}:/usr/sbin:/sbin`);
const UMOUNT = findOnPath('umount', `${process.env.PATH}:/usr/sbin:/sbin`);

export interface ChrootOptions {
  /** Files of this system copied into the root at the same path (the shared libraries a dynamically linked binary needs). */
  hostFiles?: string[];
  /** Mount a proc filesystem at /proc in the root for the run (unmounted after it). */
  proc?: boolean;
}

/**
 * Run a binary as /app inside an empty root (only the binary, an empty /tmp,
 * `files` by their path in the root, and the options' host files and /proc;
 * removed after the run), or skip the test `t` saying why not (t.skip, and
 * undefined: return at once): with no chroot command, or not as root where
 * chroot is refused. Give it a test of its own (or a subtest) for the chroot
 * run, so that the skip shows and does not hide checks made before it. As
 * root, a chroot that fails fails the test: it is never skipped there (nor is
 * a /proc that cannot be mounted).
 */
export async function inChroot(
  t: TestContext,
  binary: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
  files: Record<string, string | Buffer> = {},
  options: ChrootOptions = {},
): Promise<RunResult | undefined> {
  if (!CHROOT) {
    t.skip('no chroot command on PATH, /usr/sbin or /sbin');
    return undefined;
  }
  const check = await run(CHROOT, ['/', 'true']);
  if (check.status !== 0) {
    const why = `chroot / true failed: ${check.stderr.trim() || `exit ${check.status}`}`;
    assert.notEqual(process.getuid?.(), 0, `${why}, running as root`);
    t.skip(`not root (uid ${process.getuid?.()}) and ${why}`);
    return undefined;
  }
  const root = mkdtempSync(join(tmpdir(), 'pybin-chroot-'));
  cpSync(binary, join(root, 'app'));
  mkdirSync(join(root, 'tmp'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  for (const path of options.hostFiles ?? []) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    copyFileSync(path, join(root, path)); // the file a symbolic link names, under the link's path
  }
  if (!options.proc) {
    try {
      return await run(CHROOT, [root, '/app', ...args], { env });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }
  assert.ok(MOUNT && UMOUNT, 'mount and umount are on PATH, /usr/sbin or /sbin');
  const proc = join(root, 'proc');
  mkdirSync(proc);
  const mounted = await run(MOUNT, ['-t', 'proc', 'proc', proc]);
  assert.equal(mounted.status, 0, `mount -t proc proc ${proc} failed, running as root: ${mounted.stderr}`);
  try {
    return await run(CHROOT, [root, '/app', ...args], { env });
  } finally {
    const unmounted = await run(UMOUNT, [proc]);
    assert.equal(unmounted.status, 0, `umount ${proc}: ${unmounted.stderr}`);
    rmSync(root, { recursive: true, force: true }); // only once nothing is mounted in it
  }
}

/** Where the dynamic linker looks for a library without ld.so.cache (Debian's multiarch dirs first). */
function libraryDirs(): string[] {
  const triple = `${{ x64: 'x86_64', arm64: 'aarch64' }[process.arch as string] ?? process.arch}-linux-gnu`;
  return [`/lib/${triple}`, `/usr/lib/${triple}`, '/lib64', '/usr/lib64', '/lib', '/usr/lib'];
}

/** The program interpreter (PT_INTERP) of an ELF64 little-endian file, like /lib64/ld-linux-x86-64.so.2; undefined for a static one. */
export function programInterpreter(data: Buffer): string | undefined {
  const phoff = Number(data.readBigUInt64LE(0x20));
  const phentsize = data.readUInt16LE(0x36);
  for (let i = 0, count = data.readUInt16LE(0x38); i < count; i++) {
    const at = phoff + i * phentsize;
    if (data.readUInt32LE(at) !== 3) continue; // PT_INTERP
    const offset = Number(data.readBigUInt64LE(at + 8));
    const size = Number(data.readBigUInt64LE(at + 32));
    return data.toString('latin1', offset, offset + size).replace(/\0+$/, '');
  }
  return undefined;
}

/**
 * The files of this system a set of ELF files needs, as ldd resolves them:
 * their program interpreter and DT_NEEDED entries (less those in `provided`,
 * the names that are loaded otherwise) found in the standard library dirs, and
 * theirs in turn. Throws on a library this system does not have.
 */
export function systemLibraries(elfs: Buffer[], provided: Set<string> = new Set()): string[] {
  const found = new Set<string>();
  const seen = new Set<string>();
  const pending = [...elfs];
  for (let data = pending.pop(); data; data = pending.pop()) {
    const interpreter = programInterpreter(data);
    if (interpreter) found.add(interpreter);
    for (const name of readElfDynamic(data).needed) {
      if (provided.has(name) || seen.has(name)) continue;
      seen.add(name);
      const path = libraryDirs().map((dir) => join(dir, name)).find((p) => existsSync(p));
      if (!path) throw new Error(`${name} is in none of ${libraryDirs().join(', ')}`);
      found.add(path);
      pending.push(readFileSync(path));
    }
  }
  return [...found].sort();
}
