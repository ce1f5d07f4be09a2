import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'smol-toml';
import { PybinError, errorMessage } from '../plumbing/errors.js';

/** What pybin needs to know of an app dir. */
export interface Project {
  /** [project].name, when there is a pyproject.toml with one. */
  name?: string;
  /** [project.scripts]: name -> "module:function". */
  scripts: Record<string, string>;
  requiresPython?: string;
  /** A pyproject that pip can install (it has [project] or [build-system]). */
  installable: boolean;
}

export function readProject(appDir: string): Project {
  const file = join(appDir, 'pyproject.toml');
  if (!existsSync(file)) return { scripts: {}, installable: false };
  let data: Record<string, unknown>;
  try {
    data = parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new PybinError(`${file} is not valid TOML: ${errorMessage(error)}`, 'app');
  }
  const project = (data.project ?? {}) as Record<string, unknown>;
  const scripts = (project.scripts ?? {}) as Record<string, unknown>;
  return {
    name: typeof project.name === 'string' ? project.name : undefined,
    scripts: Object.fromEntries(Object.entries(scripts).filter((e): e is [string, string] => typeof e[1] === 'string')),
    requiresPython: typeof project['requires-python'] === 'string' ? project['requires-python'] : undefined,
    installable: 'project' in data || 'build-system' in data,
  };
}
