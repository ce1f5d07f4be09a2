import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** --cache-dir, else $PYBIN_CACHE_DIR, else the XDG cache dir. */
export function resolveCacheDir(option?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (option) return resolve(option);
  if (env.PYBIN_CACHE_DIR) return resolve(env.PYBIN_CACHE_DIR);
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'pybin');
}
