import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { PybinError } from '../errors.js';
import type { Toolchain } from '../toolchain/toolchain.js';

export interface PythonResult {
  status: number | null;
  output: string;
}

/**
 * Run the toolchain's own interpreter (the launcher in interpreter mode), so
 * that environment markers, wheel tags and .pyc magic are the target's. The
 * caller's environment passes through: pip reads its configuration from it.
 */
export function runToolchainPython(toolchain: Toolchain, args: string[], cwd?: string): Promise<PythonResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(toolchain.dir, toolchain.metadata.launcher), args, {
      cwd,
      env: { ...process.env, PYBIN_INTERPRETER: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, output }));
  });
}

/**
 * Runs pip from its wheel (argv[1]). pip 22.3, bundled with 3.11, probes for
 * glibc with ctypes.CDLL(None) and does not catch the OSError a static
 * interpreter raises (later pips do): answer its probe with "not glibc".
 */
const PIP_MAIN = `import runpy, sys
sys.path.insert(0, sys.argv.pop(1))
try:
    import pip._internal.utils.glibc as glibc
    glibc.glibc_version_string_ctypes = lambda: None
except (ImportError, AttributeError):
    pass
runpy.run_module("pip", run_name="__main__", alter_sys=True)`;

/** pip, from the wheel ensurepip bundles, installing into `target`. */
export async function pipInstall(toolchain: Toolchain, target: string, what: string[], label: string): Promise<void> {
  const wheel = join(toolchain.dir, toolchain.metadata.pipWheel);
  const result = await runToolchainPython(toolchain, [
    '-c', PIP_MAIN, wheel, 'install', '--target', target, '--no-compile', '--disable-pip-version-check',
    '--no-warn-script-location', '--upgrade', ...what,
  ]);
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
