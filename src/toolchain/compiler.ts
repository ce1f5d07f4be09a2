import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PybinError } from '../errors.js';
import { capture } from './exec.js';
import { sha256File } from './hash.js';
import type { Target } from './targets.js';

export interface Compiler {
  /** Absolute path of the target's compiler driver (musl-gcc). */
  path: string;
  /** Hashes into cache keys: the driver's version and the C library it links. */
  identity: string;
}

/** Find the target's C compiler before any work starts, or say how to install one. */
export async function detectCompiler(target: Target, env: NodeJS.ProcessEnv = process.env): Promise<Compiler> {
  const { command, installHint } = target.compiler;
  let path: string;
  try {
    path = (await capture(['sh', '-c', `command -v ${command}`], env)).trim();
  } catch {
    throw new PybinError(`no ${target.libc} C compiler found (${command} is not on PATH): ${installHint}`, 'compiler');
  }
  const version = (await capture([path, '--version'], env)).split('\n')[0] ?? '';
  const libc = (await capture([path, '-print-file-name=libc.a'], env)).trim();
  return { path, identity: `${version} libc.a:${await sha256File(libc)}` };
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
