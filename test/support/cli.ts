import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/plumbing/package-root.js';
import { run, type RunResult } from './run.js';
import { testSourcesFile } from './toolchain.js';

/** The bundled CLI, run as `npx pybin` runs it. */
export const CLI = join(packageRoot(), 'dist', 'cli.js');

export function pybin(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<RunResult> {
  return run(process.execPath, [CLI, ...args], { env, timeoutMs: 30 * 60_000 });
}

/** `pybin build` with the test sources and a Python version. */
export function pybinBuild(python: string, args: string[], env?: NodeJS.ProcessEnv): Promise<RunResult> {
  return pybin(['build', '--python', python, '--sources', testSourcesFile(), ...args], env);
}

/** `pybin build` that must succeed: the binary's path, the last line it prints. */
export async function buildBinary(python: string, args: string[], env?: NodeJS.ProcessEnv): Promise<string> {
  const result = await pybinBuild(python, args, env);
  assert.equal(result.status, 0, result.stderr);
  const binary = result.stdout.trim().split('\n').at(-1) ?? '';
  assert.ok(existsSync(binary), `${binary} exists`);
  return binary;
}
