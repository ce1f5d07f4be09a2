import { accessSync, chmodSync, constants, existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { PybinError, errorMessage } from '../plumbing/errors.js';
import { capture } from '../plumbing/exec.js';
import { sha256, sha256File } from '../plumbing/hash.js';
import type { CrossBuild, Target } from './targets.js';

export interface Compiler {
  /** Absolute path of the target's compiler driver (musl-gcc, gcc). */
  path: string;
  /** Hashes into cache keys: the driver's version and the C library it links. */
  identity: string;
}

/** Find the target's C compiler (its cross compiler in a cross build) before any work starts, or say how to install one. */
export async function detectCompiler(target: Target, env: NodeJS.ProcessEnv = process.env, cross?: CrossBuild): Promise<Compiler> {
  const { command, installHint } = cross?.compiler ?? target.compiler;
  const what = cross ? `${target.arch} ${target.libc} cross compiler` : `${target.libc} C compiler`;
  const path = findOnPath(command, env.PATH ?? '');
  if (!path) {
    throw new PybinError(`no ${what} found (${command} is not on PATH): ${installHint}`, 'compiler');
  }
  let version: string;
  try {
    version = (await capture([path, '--version'], env)).split('\n')[0] ?? '';
  } catch (error) {
    // musl's wrappers are scripts that run a gcc which may be missing.
    throw new PybinError(`the ${what} ${path} does not run (${errorMessage(error)}): ${installHint}`, 'compiler');
  }
  const libc = target.libc === 'musl' ? await muslIdentity(path) : await glibcIdentity(path, env);
  return { path, identity: `${version} ${libc}` };
}

/** The glibc that gcc links (its libc.so.6), whose version sets the binaries' glibc floor. */
async function glibcIdentity(driver: string, env: NodeJS.ProcessEnv): Promise<string> {
  const libc = (await capture([driver, '-print-file-name=libc.so.6'], env)).trim();
  return existsSync(libc) ? `libc.so.6:${await sha256File(realpathSync(libc))}` : `driver:${await sha256File(driver)}`;
}

/**
 * musl-gcc is a script that points gcc at a specs file, which names musl's
 * library dir; the hash of that libc.a identifies the C library we link.
 * (`-print-file-name=libc.a` would answer with glibc's: specs do not apply.)
 */
async function muslIdentity(driver: string): Promise<string> {
  const script = readFileSync(driver);
  const specs = /-specs\s+"?([^"\s]+)"?/.exec(script.toString('latin1'))?.[1];
  const libDir = specs && existsSync(specs) ? /-L\s*(\/[^\s%]+)/.exec(readFileSync(specs, 'utf8'))?.[1] : undefined;
  const libc = libDir ? join(libDir, 'libc.a') : undefined;
  return libc && existsSync(libc) ? `libc.a:${await sha256File(libc)}` : `driver:${sha256(script)}`;
}

export function findOnPath(command: string, path: string): string | undefined {
  for (const dir of path.split(delimiter).filter(Boolean)) {
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * The `cc` every build step sees. configure asks gcc for Debian's multiarch
 * triplet (x86_64-linux-gnu), which contradicts musl and stops CPython's
 * configure; the wrapper answers nothing, as a non-Debian gcc does. Kernel
 * UAPI headers (libc-neutral) come from a private copy of links so that no
 * other host header is on the include path.
 */
export function writeCompilerWrapper(toolsDir: string, compiler: Compiler, kernelHeaders: string): string {
  mkdirSync(toolsDir, { recursive: true });
  const wrapper = join(toolsDir, 'cc');
  writeFileSync(
    wrapper,
    [
      '#!/bin/sh',
      'for arg do [ "$arg" = --print-multiarch ] && exit 0; done',
      `exec "${compiler.path}" "$@" -idirafter "${kernelHeaders}"`,
      '',
    ].join('\n'),
  );
  chmodSync(wrapper, 0o755);
  return wrapper;
}
