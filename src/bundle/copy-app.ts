import { copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
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

/** A file of a plain app dir: where it goes in the stage, and the real file to copy. */
export interface AppFile {
  rel: string;
  real: string;
}

/**
 * The files of a plain app dir, walked before any slow work: symlinks are
 * followed only while they stay inside the app dir and do not lead back to
 * a dir being walked; one that does stops the build, saying which.
 */
export function listAppTree(appDir: string, options: CopyOptions): AppFile[] {
  const root = realpathSync(appDir);
  const isExcluded = picomatch([...DEFAULT_EXCLUDES, ...options.excludes], { dot: true, basename: false });
  const excludedName = picomatch(DEFAULT_EXCLUDES, { dot: true });
  const skip = new Set(options.skipPaths.map((p) => (existsSync(p) ? realpathSync(p) : p)));
  const files: AppFile[] = [];
  // The real dirs being walked, root first: a symlink back to one of them would never end.
  const walking = new Set<string>();
  const walk = (dir: string, at: string) => {
    walking.add(dir);
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      const rel = at ? `${at}/${name}` : name;
      if (excludedName(name) || isExcluded(rel) || isExcluded(name)) continue;
      let real = path;
      if (lstatSync(path).isSymbolicLink()) {
        if (!existsSync(path)) {
          throw new PybinError(`${rel} is a broken symlink (to ${readlinkSync(path)}): remove it, or --exclude it`, 'app');
        }
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
        if (walking.has(real)) {
          throw new PybinError(`${rel} is a symlink to ${real}, which contains it: copying it would never end (--exclude it)`, 'app');
        }
        walk(real, rel);
      } else if (stats.isFile()) {
        files.push({ rel, real });
      }
    }
    walking.delete(dir);
  };
  walk(root, '');
  return files;
}

/** Copy a listed app tree into the staging dir. */
export function copyAppFiles(files: AppFile[], into: string): void {
  for (const file of files) {
    mkdirSync(dirname(join(into, file.rel)), { recursive: true });
    copyFileSync(file.real, join(into, file.rel));
  }
}
