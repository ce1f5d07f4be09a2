import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pybinBuild } from './cli.js';

const built = new Map<string, Promise<string>>();

/**
 * `pybin build APP_DIR ARGS` with the real CLI, as a user runs it; the binary's
 * path. Builds are shared within a test file by their arguments.
 */
export function buildApp(python: string, appDir: string, args: string[] = [], env?: NodeJS.ProcessEnv): Promise<string> {
  const key = JSON.stringify([python, appDir, args, env ?? null]);
  if (!built.has(key)) {
    built.set(key, (async () => {
      const out = mkdtempSync(join(tmpdir(), 'pybin-app-'));
      const result = await pybinBuild(python, [appDir, '--out', out, ...args], env);
      const binary = result.stdout.trim().split('\n').at(-1) ?? '';
      if (result.status !== 0 || !existsSync(binary)) throw new Error(`pybin build ${appDir} failed:\n${result.stderr}`);
      return binary;
    })());
  }
  return built.get(key)!;
}

/** A one-file app: `source` as the `__main__.py` of an app dir, built with `pybin build`. */
export function buildScript(python: string, source: string, name = 'app'): Promise<string> {
  const appDir = mkdtempSync(join(tmpdir(), 'pybin-src-'));
  writeFileSync(join(appDir, '__main__.py'), source);
  return buildApp(python, appDir, ['--name', name]);
}
