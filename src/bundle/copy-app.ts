import { copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import picomatch from 'picomatch';
import { PybinError } from '../plumbing/errors.js';

/** Never copied from an app dir, whatever --exclude says. */
export const DEFAULT_EXCLUDES = ['.git', '.hg', '.svn', '__pycache__', 'node_modules', '.venv', 'venv', '.tox', '.nox', '.mypy_cache', '.pytest_cache', '.ruff_cache'];

export interface CopyOptions {
  /** Globs matched against paths relative to the app dir (and against bare names). */
  excludes: string[];
  /** Paths (absolute) to skip, like the output dir. */
  skipPaths: string[];
}

/**
 * Copy a plain app dir into the staging dir. Symlinks are followed only while
 * they stay inside the app dir; one that leaves it stops the build.
 */
export function copyAppTree(appDir: string, into: string, options: CopyOptions): number {
  const root = realpathSync(appDir);
  const isExcluded = picomatch([...DEFAULT_EXCLUDES, ...options.excludes], { dot: true, basename: false });
  const excludedName = picomatch(DEFAULT_EXCLUDES, { dot: true });
  const skip = new Set(options.skipPaths.map((p) => (existsSync(p) ? realpathSync(p) : p)));
  let count = 0;
  const walk = (dir: string, out: string) => {
    mkdirSync(out, { recursive: true });
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      const rel = relative(root, path);
      if (excludedName(name) || isExcluded(rel) || isExcluded(name)) continue;
      let real = path;
      if (lstatSync(path).isSymbolicLink()) {
        real = realpathSync(path);
        if (real !== root && !real.startsWith(root + sep)) {
          throw new PybinError(
            `${rel} is a symlink to ${real}, outside the app dir: pybin does not follow it (copy the file into the app, or --exclude it)`,
            'app',
          );
        }
      }
      if (skip.has(real)) continue;
      const stats = statSync(real);
      if (stats.isDirectory()) {
        if (existsSync(join(real, 'pyvenv.cfg'))) continue; // a virtualenv under any name
        walk(real, join(out, name));
      } else if (stats.isFile()) {
        copyFileSync(real, join(out, name));
        count++;
      }
    }
  };
  walk(root, into);
  return count;
}
