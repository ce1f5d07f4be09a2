import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PybinError } from '../plumbing/errors.js';
import { runCommand, type CommandResult } from '../plumbing/exec.js';
import { packageRoot } from '../plumbing/package-root.js';
import { listFiles } from '../plumbing/tree.js';
import type { Toolchain } from '../toolchain/toolchain.js';
import { wheelPolicy } from './wheel-tags.js';

/**
 * Run the toolchain's own interpreter (the bare launcher is a plain python3),
 * so that environment markers, wheel tags and .pyc magic are the target's.
 * Where it cannot run here (another architecture), the build host's of the
 * same version runs instead: the same .pyc bytes, and pip is told the
 * target's platform (see pipEnv). The caller's environment passes through:
 * pip reads its configuration from it.
 */
export function runToolchainPython(toolchain: Toolchain, args: string[], env: NodeJS.ProcessEnv = {}): Promise<CommandResult> {
  const runs = toolchain.host ?? toolchain;
  return runCommand([join(runs.dir, runs.metadata.launcher), ...args], { ...process.env, ...env });
}

/** What a failed step printed, for its error message. */
export function outputOf(result: CommandResult): string {
  return `${result.stdout}${result.stderr}`.trim();
}

/** The environment of src/bundle/pip_runner.py: pip's wheel and the target's wheel tags. */
function pipEnv(toolchain: Toolchain, glibcCap: string | undefined): NodeJS.ProcessEnv {
  const { target } = toolchain;
  const policy = wheelPolicy(target, glibcCap);
  return {
    PYBIN_PIP_WHEEL: join(toolchain.dir, toolchain.metadata.pipWheel),
    PYBIN_WHEEL_PLATFORMS: JSON.stringify(policy.platforms),
    PYBIN_PURE_FIRST: policy.pureFirst ? '1' : '0',
    // Environment markers (platform_machine) are the target's, also when another architecture's Python runs pip.
    ...(toolchain.host ? { PYBIN_TARGET_MACHINE: target.arch } : {}),
  };
}

/**
 * pip, from the wheel ensurepip bundles, installing into `into` with the
 * target's wheel tags (manylinux ones up to glibcCap). `report`: where pip
 * writes what it installed, from which wheel (its sha256), for the SBOM.
 */
export async function pipInstall(toolchain: Toolchain, into: string, what: string[], label: string, report: string, glibcCap?: string): Promise<void> {
  const runner = join(packageRoot(), 'src', 'bundle', 'pip_runner.py');
  const result = await runToolchainPython(
    toolchain,
    [
      '-E', '-s', runner, 'install', '--target', into, '--no-compile', '--disable-pip-version-check', '--no-warn-script-location', '--upgrade',
      '--report', report, ...what,
    ],
    pipEnv(toolchain, glibcCap),
  );
  if (result.status !== 0) {
    throw new PybinError(`${label}: pip could not install it:\n${outputOf(result)}`, 'requirements');
  }
}

function compileall(toolchain: Toolchain, dir: string): Promise<CommandResult> {
  return runToolchainPython(toolchain, ['-m', 'compileall', '-q', '-b', '-f', '--invalidation-mode', 'unchecked-hash', '-s', dir, '-p', '', dir]);
}

/** Compile a tree to unchecked-hash .pyc beside the sources, with paths relative to the tree. */
export async function compileTree(toolchain: Toolchain, dir: string): Promise<void> {
  const result = await compileall(toolchain, dir);
  if (result.status !== 0) throw new PybinError(`compiling the app failed:\n${outputOf(result)}`, 'app');
}

/**
 * Compile the staged app as pip compiles a wheel: compileall goes on past a
 * file this Python cannot compile (packages ship files in a newer version's
 * syntax on purpose, for the versions that import them), which keeps its
 * source and gets no .pyc. `tolerated`: the files that may stay uncompiled
 * (the dependencies'); any other is an error, as is a failure that left
 * every file compiled. Returns the uncompiled files and compileall's first
 * error line.
 */
export async function compileAppTree(toolchain: Toolchain, dir: string, tolerated: Set<string>): Promise<{ uncompiled: string[]; firstError: string }> {
  const result = await compileall(toolchain, dir);
  if (result.status === 0) return { uncompiled: [], firstError: '' };
  const uncompiled = listFiles(dir).filter((file) => file.endsWith('.py') && !existsSync(join(dir, `${file}c`)));
  const own = uncompiled.filter((file) => !tolerated.has(file));
  if (uncompiled.length === 0 || own.length > 0) {
    throw new PybinError(`compiling the app failed${own.length ? ` (${own.slice(0, 3).join(', ')})` : ''}:\n${outputOf(result)}`, 'app');
  }
  const firstError = outputOf(result).split('\n').find((line) => /^\w*(Error|Warning)\b/.test(line)) ?? '';
  return { uncompiled, firstError };
}
