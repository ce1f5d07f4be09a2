import { PybinError } from '../plumbing/errors.js';
import { PYTHONS, type PythonRecipe } from './recipes.js';

/** A pre-release suffix of a CPython version: 3.15.0rc2. */
export const PRERELEASE = /(a|b|rc)(\d+)$/;
/** A pinned CPython version: 3.13.5, 3.15.0rc2. */
export const CPYTHON_VERSION = /^3\.\d+\.\d+((a|b|rc)\d+)?$/;

const isFinal = (p: PythonRecipe) => !PRERELEASE.test(p.version);

/** `3.11 (3.11.2), 3.12 (3.12.15, untested), ...`: every pin, marking those our tests do not build. */
export function supportedVersions(pythons: readonly PythonRecipe[] = PYTHONS): string {
  return pythons
    .map((p) => `${p.version.split('.').slice(0, 2).join('.')} (${p.version}${p.tested ? '' : ', untested'})`)
    .join(', ');
}

/** The CPython used when nothing asks for one: the newest final release our own tests build. */
export function defaultPython(pythons: readonly PythonRecipe[] = PYTHONS): PythonRecipe {
  const newest = pythons.filter((p) => isFinal(p) && p.tested).at(-1);
  if (!newest) throw new Error('no tested final CPython release is pinned');
  return newest;
}

/**
 * What to tell a user who gets an untested version (asked for, or the only
 * one that satisfies requires-python); undefined for a tested one.
 */
export function untestedWarning(recipe: PythonRecipe, pythons: readonly PythonRecipe[] = PYTHONS): string | undefined {
  if (recipe.tested) return undefined;
  const tested = pythons.filter((p) => p.tested).map((p) => p.version).join(', ');
  return (
    `CPython ${recipe.version} is untested: it is pinned from upstream's published hashes, but pybin's own test suite ` +
    `builds only ${tested}, so its build may fail or lack a module`
  );
}

/**
 * Pick the pinned CPython for a request: `3.13` means its pinned patch
 * release, `3.13.5` must be exactly pinned, nothing means the newest tested
 * final one (see defaultPython). Untested versions are picked when asked for.
 */
export function selectPython(requested: string | undefined, pythons: readonly PythonRecipe[] = PYTHONS): PythonRecipe {
  const wanted = requested?.trim();
  if (!wanted) return defaultPython(pythons);
  if (!/^3\.\d+$/.test(wanted) && !CPYTHON_VERSION.test(wanted)) {
    throw new PybinError(
      `python version "${wanted}" is not a CPython version like 3.13 or 3.13.5; supported: ${supportedVersions(pythons)}`,
      'python-version',
    );
  }
  const minorOnly = wanted.split('.').length === 2;
  const match = pythons.find((p) => (minorOnly ? p.version.startsWith(`${wanted}.`) : p.version === wanted));
  if (!match) {
    throw new PybinError(`python ${wanted} is not supported; supported: ${supportedVersions(pythons)}`, 'python-version');
  }
  return match;
}

/**
 * The one place a build's CPython is chosen: an explicit request (already a
 * pin), else the app's `.python-version`, else the newest pinned final
 * release that satisfies `requires-python`, a tested one if any does (else an
 * untested one, which the build warns about), else the default (see
 * defaultPython).
 */
export function choosePython(
  requested: PythonRecipe | undefined,
  versionFile: string | undefined,
  requiresPython: string | undefined,
  pythons: readonly PythonRecipe[] = PYTHONS,
): PythonRecipe {
  if (requested) return requested;
  if (versionFile?.trim()) {
    try {
      return selectPython(versionFile, pythons);
    } catch (error) {
      throw new PybinError(`the app's .python-version: ${(error as Error).message}`, 'python-version');
    }
  }
  if (!requiresPython?.trim()) return defaultPython(pythons);
  const fitting = pythons.filter((p) => isFinal(p) && satisfiesRequiresPython(p.version, requiresPython));
  const newest = fitting.filter((p) => p.tested).at(-1) ?? fitting.at(-1);
  if (!newest) {
    throw new PybinError(
      `requires-python "${requiresPython}" in pyproject.toml matches no supported CPython; supported: ${supportedVersions(pythons)}`,
      'python-version',
    );
  }
  return newest;
}

/** PEP 440 specifiers (`>=3.10,<3.14`, `~=3.11`, `==3.12.*`, `!=3.13.0`) for final CPython releases. */
export function satisfiesRequiresPython(version: string, specifiers: string): boolean {
  return specifiers
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .every((spec) => {
      const match = /^(~=|===|==|!=|<=|>=|<|>)\s*([\d.]+)(\.\*)?$/.exec(spec);
      if (!match) throw new PybinError(`requires-python specifier "${spec}" is not understood (PEP 440)`, 'python-version');
      const [, op, bound = '', wildcard] = match;
      const cmp = compareReleases(version, bound);
      if (wildcard) {
        const prefix = version.split('.').slice(0, bound.split('.').length).join('.') === bound;
        if (op === '==') return prefix;
        if (op === '!=') return !prefix;
        throw new PybinError(`requires-python specifier "${spec}": a wildcard needs == or !=`, 'python-version');
      }
      switch (op) {
        case '>=': return cmp >= 0;
        case '<=': return cmp <= 0;
        case '>': return cmp > 0;
        case '<': return cmp < 0;
        case '!=': return cmp !== 0;
        case '~=': {
          // ~=3.11 means >=3.11, ==3.*; ~=3.11.2 means >=3.11.2, ==3.11.*
          const prefix = bound.split('.').slice(0, -1).join('.');
          return cmp >= 0 && version.split('.').slice(0, prefix.split('.').length).join('.') === prefix;
        }
        default: return cmp === 0; // == and ===
      }
    });
}

/**
 * Compare dotted release numbers, padding the shorter with zeros (3.13 ==
 * 3.13.0). A pre-release compares as its release: specifiers here choose
 * among pinned versions, where 3.15.0rc2 stands for 3.15.
 */
function compareReleases(a: string, b: string): number {
  const x = a.replace(PRERELEASE, '').split('.').map(Number);
  const y = b.replace(PRERELEASE, '').split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}
