import { existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { PybinError } from '../plumbing/errors.js';
import type { Progress } from '../plumbing/progress.js';
import type { Compiler } from './compiler.js';
import { writeCompilerWrapper } from './compiler.js';
import { writeCrossTools } from './cross.js';
import type { CrossBuild, Target } from './targets.js';

/** What every build step needs to know; created once per toolchain request. */
export interface BuildContext {
  cacheDir: string;
  target: Target;
  compiler: Compiler;
  jobs: number;
  progress: Progress;
  /** Set when the target is built on a machine of another architecture. */
  cross?: CrossBuild;
  /** Cross builds: the build host's interpreter of the same CPython version (configure's --with-build-python). */
  buildPython?: string;
}

/** A throw-away directory for one build, with the compiler wrapper in tools/. */
export interface Scratch {
  dir: string;
  cc: string;
  logDir: string;
}

/** Path prefixes that must not leak into outputs (they differ between machines). */
export const BUILD_PATH_ALIAS = '/pybin-build';

export function createScratch(ctx: BuildContext, name: string): Scratch {
  // Per target: one process may build the same source for two targets at once.
  const dir = join(ctx.cacheDir, 'scratch', `${name}-${ctx.target.triple}-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  const kernelHeaders = join(dir, 'kernel-include');
  mkdirSync(kernelHeaders, { recursive: true });
  if (ctx.cross) linkCrossKernelHeaders(ctx.cross, kernelHeaders);
  else linkKernelHeaders(ctx.target, kernelHeaders);
  const logDir = join(ctx.cacheDir, 'logs', ctx.target.triple, name);
  rmSync(logDir, { recursive: true, force: true });
  mkdirSync(logDir, { recursive: true });
  const cc = writeCompilerWrapper(join(dir, 'tools'), ctx.compiler, kernelHeaders);
  if (ctx.cross) writeCrossTools(join(dir, 'tools'), ctx.cross);
  return { dir, cc, logDir };
}

/** A cross build takes the target's kernel headers from the cross package's dir (only these three: it holds glibc's too). */
function linkCrossKernelHeaders(cross: CrossBuild, into: string): void {
  const { dir, installHint } = cross.kernelHeaders;
  const missing = ['linux', 'asm', 'asm-generic'].filter((sub) => !existsSync(join(dir, sub)));
  if (missing.length > 0) {
    throw new PybinError(`the target's Linux kernel headers are missing (${missing.map((m) => join(dir, m)).join(', ')}): ${installHint}`, 'compiler');
  }
  for (const sub of ['linux', 'asm', 'asm-generic']) symlinkSync(join(dir, sub), join(into, sub));
}

/** musl ships no Linux UAPI headers; borrow the host's (they are libc-neutral). */
function linkKernelHeaders(target: Target, into: string): void {
  const asmCandidates = [`/usr/include/${target.arch}-linux-gnu/asm`, '/usr/include/asm'];
  const asm = asmCandidates.find((dir) => existsSync(dir));
  if (!existsSync('/usr/include/linux') || !asm) {
    throw new PybinError(
      'Linux kernel headers are missing: install them (`sudo apt-get install linux-libc-dev` on Debian/Ubuntu)',
      'compiler',
    );
  }
  symlinkSync('/usr/include/linux', join(into, 'linux'));
  symlinkSync('/usr/include/asm-generic', join(into, 'asm-generic'));
  symlinkSync(asm, join(into, 'asm'));
}

/** The environment of every build command: nothing from the caller leaks in but PATH and HOME. */
export function buildEnv(ctx: BuildContext, scratch: Scratch, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: `${join(scratch.dir, 'tools')}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    HOME: process.env.HOME ?? '/tmp',
    LC_ALL: 'C',
    TZ: 'UTC',
    SOURCE_DATE_EPOCH: '315532800',
    CC: scratch.cc,
    CFLAGS: cflags(ctx, scratch),
    // Not target.ldflags: `-static` here makes OpenSSL's Configure drop threads.
    LDFLAGS: '',
    PKG_CONFIG_PATH: '',
    PKG_CONFIG_LIBDIR: join(scratch.dir, 'no-pkgconfig'),
    ...extra,
  };
}

/** A compiler's flags (default: the libraries' ones), with the scratch dir's path mapped out of what it writes. */
export function cflags(ctx: BuildContext, scratch: Scratch, flags: string[] = ctx.target.cflags): string {
  return [...flags, `-ffile-prefix-map=${scratch.dir}=${BUILD_PATH_ALIAS}`].join(' ');
}
