import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

/** A real CPython binary (not a shim), to compare pybin binaries against. */
export interface RealPython {
  path: string;
  /** platform.python_version(), like 3.11.2. */
  version: string;
}

const PROBE = 'import platform, sys; print(platform.python_version(), sys.implementation.name, sys.prefix == sys.base_prefix)';

/** `path` as a real CPython X.Y, or undefined when it is none (a shim, a venv, another version). */
export function realPythonAt(path: string, minor: string): RealPython | undefined {
  if (!existsSync(path) || !statSync(path).isFile()) return undefined;
  // A shell script is a shim (pyenv's cost ~300 ms a call and may pick another version): only ELF binaries.
  const head = readFileSync(path).subarray(0, 4);
  if (head.toString('latin1') !== '\u007fELF') return undefined;
  const result = spawnSync(path, ['-I', '-c', PROBE], { encoding: 'utf8', timeout: 30_000 });
  const [version, impl, notVenv] = result.stdout?.trim().split(' ') ?? [];
  if (result.status !== 0 || impl !== 'cpython' || notVenv !== 'True' || !version?.startsWith(`${minor}.`)) return undefined;
  return { path, version };
}

/** pythonX.Y candidates: an explicit override, standard locations, pyenv's versions, a runner's tool cache, PATH. */
function candidates(minor: string): string[] {
  const exe = `python${minor}`;
  const override = process.env[`PYBIN_REAL_PYTHON_${minor.replace('.', '_')}`];
  const found: string[] = override ? [override] : [];
  found.push(join('/usr/bin', exe), join('/usr/local/bin', exe));
  const versionDirs = (root: string | undefined, sub: string[]) => {
    if (!root || !existsSync(root)) return;
    for (const name of readdirSync(root).filter((n) => n.startsWith(`${minor}.`) && /^\d+\.\d+\.\d+$/.test(n))) {
      found.push(join(root, name, ...sub, exe));
    }
  };
  versionDirs(join(process.env.PYENV_ROOT || join(homedir(), '.pyenv'), 'versions'), ['bin']);
  if (process.env.RUNNER_TOOL_CACHE) versionDirs(join(process.env.RUNNER_TOOL_CACHE, 'Python'), ['x64', 'bin']);
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) found.push(join(dir, exe));
  return [...new Set(found)];
}

/**
 * A real CPython X.Y: the one of exactly `preferVersion` if there is one (the
 * toolchain's patch release), else the newest found. `python3` on PATH is not
 * used (it may be a pyenv shim); `PYBIN_REAL_PYTHON_3_13=/path` overrides.
 */
export function findRealPython(minor: string, preferVersion?: string): RealPython | undefined {
  const found = candidates(minor)
    .map((path) => realPythonAt(path, minor))
    .filter((p): p is RealPython => p !== undefined);
  const patch = (p: RealPython) => Number(p.version.split('.')[2]?.replace(/\D.*$/, '') ?? 0);
  return found.find((p) => p.version === preferVersion) ?? found.sort((a, b) => patch(b) - patch(a))[0];
}
