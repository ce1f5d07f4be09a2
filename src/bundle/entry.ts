import { PybinError } from '../plumbing/errors.js';

export type Entry = { module: string; attr: string } | { script: string };

const DOTTED = /^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$/;

/** `pkg.module:function` (extras in brackets, as pyproject allows, are ignored). */
export function parseFunctionEntry(spec: string, where: string): Entry {
  const [module = '', attr = ''] = spec.replace(/\[.*\]\s*$/, '').trim().split(':');
  if (!DOTTED.test(module) || !DOTTED.test(attr) || spec.split(':').length !== 2) {
    throw new PybinError(`${where} "${spec}" is not a valid entry point: expected module:function, like mypkg.cli:main`, 'entry');
  }
  return { module, attr };
}

/**
 * Resolve --entry (or its absence) against the app: a function spec, a script
 * path relative to the app dir, or a [project.scripts] name. Without --entry:
 * the only [project.scripts] entry, else __main__.py.
 */
export function resolveEntry(
  spec: string | undefined,
  scripts: Record<string, string>,
  isFile: (relativePath: string) => boolean,
): Entry {
  if (spec !== undefined) {
    const wanted = spec.trim();
    if (!wanted) throw new PybinError('--entry is empty', 'entry');
    if (scripts[wanted]) return parseFunctionEntry(scripts[wanted], `[project.scripts] ${wanted} =`);
    if (wanted.includes(':')) return parseFunctionEntry(wanted, '--entry');
    if (wanted.endsWith('.py') || wanted.includes('/')) {
      if (wanted.startsWith('/') || wanted.split('/').includes('..')) {
        throw new PybinError(`--entry "${wanted}" must be a path inside the app dir`, 'entry');
      }
      if (!isFile(wanted)) throw new PybinError(`--entry script "${wanted}" does not exist in the app dir`, 'entry');
      return { script: wanted };
    }
    throw new PybinError(
      `--entry "${wanted}" is not a [project.scripts] name${Object.keys(scripts).length ? ` (there are: ${Object.keys(scripts).join(', ')})` : ''}, ` +
        'a script path, or module:function',
      'entry',
    );
  }
  const names = Object.keys(scripts);
  if (names.length === 1) return parseFunctionEntry(scripts[names[0]!]!, `[project.scripts] ${names[0]} =`);
  if (isFile('__main__.py')) return { script: '__main__.py' };
  throw new PybinError(
    names.length > 1
      ? `no --entry given and [project.scripts] has several entries (${names.join(', ')}): choose one with --entry NAME`
      : 'no entry point found: no [project.scripts] in pyproject.toml and no __main__.py in the app dir; ' +
        'pass --entry module:function or --entry path/to/script.py',
    'entry',
  );
}
