import { basename } from 'node:path';
import { PybinError } from '../plumbing/errors.js';
import { runCommand } from '../plumbing/exec.js';
import type { TargetRunner } from '../toolchain/cross.js';
import type { Toolchain } from '../toolchain/toolchain.js';
import { outputOf, runToolchainPython } from './python.js';

/**
 * The ZIP must be readable through the binary itself, as zipimport will read
 * it (under the emulator for another architecture; with none, the build
 * host's Python reads it).
 */
export async function verifyZipThroughBinary(binary: string, runner: TargetRunner, toolchain: Toolchain): Promise<void> {
  const check = 'import sys, zipfile\nwith zipfile.ZipFile(sys.argv[1]) as z:\n    bad = z.testzip()\nsys.exit(f"corrupt entry {bad}" if bad else 0)';
  const args = ['-c', check, binary];
  const result = await ('argv' in runner
    ? runCommand([...runner.argv, binary, ...args], { ...process.env, PYBIN_INTERPRETER: '1' })
    : runToolchainPython(toolchain, args)
  ).catch((error: unknown) => ({ status: null, stdout: '', stderr: String(error) }));
  if (result.status !== 0) throw new PybinError(`the fused binary does not read back: ${outputOf(result)}`);
}

/** Run the binary with the smoke test's arguments (through the emulator for another architecture); its output, or why it failed. */
export async function runSmokeTest(binary: string, args: string[], emulator: string[]): Promise<string> {
  // Emulated, CPython runs many times slower.
  const timeout = emulator.length > 0 ? 600_000 : 120_000;
  const result = await runCommand([...emulator, binary, ...args], process.env, timeout);
  const output = outputOf(result);
  if (result.status !== 0) {
    const how = result.timedOut ? `ran past ${timeout / 1000} s and was killed` : result.signal ? `was killed by ${result.signal}` : `exited ${result.status}`;
    throw new PybinError(`--smoke-test: \`${basename(binary)} ${args.join(' ')}\` ${how}; its output:\n${output}`, 'smoke-test');
  }
  return output;
}
