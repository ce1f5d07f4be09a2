import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildBinary } from './cli.js';
import { tempDir } from './tmp.js';

const built = new Map<string, Promise<string>>();

/**
 * `pybin build APP_DIR ARGS` with the real CLI, as a user runs it; the binary's
 * path. Builds are shared within a test file by their arguments.
 */
export function buildApp(python: string, appDir: string, args: string[] = [], env?: NodeJS.ProcessEnv): Promise<string> {
  const key = JSON.stringify([python, appDir, args, env ?? null]);
  if (!built.has(key)) {
    built.set(key, buildBinary(python, [appDir, '--out', tempDir('app'), ...args], env));
  }
  return built.get(key)!;
}

/** A one-file app: `source` as the `__main__.py` of an app dir, built with `pybin build`. */
export function buildScript(python: string, source: string, name = 'app', args: string[] = []): Promise<string> {
  const appDir = tempDir('src');
  writeFileSync(join(appDir, '__main__.py'), source);
  return buildApp(python, appDir, ['--name', name, ...args]);
}
