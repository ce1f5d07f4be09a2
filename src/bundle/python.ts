import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { PybinError } from '../errors.js';
import { packageRoot } from '../paths.js';
import { TARGETS } from '../toolchain/targets.js';
import type { Toolchain } from '../toolchain/toolchain.js';
import { wheelPolicy } from './wheel-tags.js';

export interface PythonResult {
  status: number | null;
  output: string;
}

/**
 * Run the toolchain's own interpreter (the bare launcher is a plain python3),
 * so that environment markers, wheel tags and .pyc magic are the target's.
 * The caller's environment passes through: pip reads its configuration from it.
 */
export function runToolchainPython(toolchain: Toolchain, args: string[], env: NodeJS.ProcessEnv = {}): Promise<PythonResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(toolchain.dir, toolchain.metadata.launcher), args, {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, output }));
  });
}

/** The environment of src/bundle/pip_runner.py: pip's wheel and the target's wheel tags. */
function pipEnv(toolchain: Toolchain): NodeJS.ProcessEnv {
  const target = TARGETS.find((t) => t.triple === toolchain.metadata.target);
  if (!target) throw new PybinError(`toolchain ${toolchain.dir} is for ${toolchain.metadata.target}, which this pybin does not know`);
  const policy = wheelPolicy(target);
  return {
    PYBIN_PIP_WHEEL: join(toolchain.dir, toolchain.metadata.pipWheel),
    PYBIN_WHEEL_PLATFORMS: JSON.stringify(policy.platforms),
    PYBIN_PURE_FIRST: policy.pureFirst ? '1' : '0',
  };
}

/** pip, from the wheel ensurepip bundles, installing into `target` with the target's wheel tags. */
export async function pipInstall(toolchain: Toolchain, target: string, what: string[], label: string): Promise<void> {
  const runner = join(packageRoot(), 'src', 'bundle', 'pip_runner.py');
  const result = await runToolchainPython(
    toolchain,
    ['-E', '-s', runner, 'install', '--target', target, '--no-compile', '--disable-pip-version-check', '--no-warn-script-location', '--upgrade', ...what],
    pipEnv(toolchain),
  );
  if (result.status !== 0) {
    throw new PybinError(`${label}: pip could not install it:\n${result.output.trim()}`, 'requirements');
  }
}

/** Compile a tree to unchecked-hash .pyc beside the sources, with paths relative to the tree. */
export async function compileTree(toolchain: Toolchain, dir: string): Promise<void> {
  const result = await runToolchainPython(toolchain, [
    '-m', 'compileall', '-q', '-b', '-f', '--invalidation-mode', 'unchecked-hash', '-s', dir, '-p', '', dir,
  ]);
  if (result.status !== 0) throw new PybinError(`compiling the app failed:\n${result.output.trim()}`, 'app');
}
