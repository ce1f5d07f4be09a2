import { join } from 'node:path';
import { buildOnce } from '../../src/plumbing/atomic-dir.js';
import { sha256 } from '../../src/plumbing/hash.js';
import { resolveCacheDir } from '../../src/toolchain/cache.js';
import { pipEnv } from './corpus.js';
import type { RealPython } from './real-python.js';
import { run } from './run.js';

/**
 * A venv of a real CPython with `pipArgs` installed (`['black==26.5.1']`,
 * `['-r', file]`), cached by content (the interpreter and what is installed,
 * with `contents`: the text of a requirements file) beside pybin's toolchains.
 * Returns the venv's dir. It was made in a temporary dir and renamed, so its
 * scripts' shebangs name that dir: run them as `venv/bin/python venv/bin/SCRIPT`.
 */
export async function cachedVenv(real: RealPython, name: string, pipArgs: string[], contents = ''): Promise<string> {
  const key = sha256(JSON.stringify({ python: real.path, version: real.version, pipArgs, contents })).slice(0, 16);
  const dir = join(resolveCacheDir(), 'test-venvs', `${name}-${real.version}-${key}`);
  await buildOnce(dir, async (work) => {
    const made = await run(real.path, ['-m', 'venv', work], { timeoutMs: 5 * 60_000 });
    if (made.status !== 0) throw new Error(`${real.path} -m venv failed: ${made.stderr}`);
    const pip = await run(join(work, 'bin', 'python'), ['-m', 'pip', 'install', '-q', ...pipArgs], { env: pipEnv(), timeoutMs: 10 * 60_000 });
    if (pip.status !== 0) throw new Error(`pip install ${pipArgs.join(' ')} into a ${real.version} venv failed:\n${pip.stderr}`);
  });
  return dir;
}
