import { PybinError } from '../errors.js';
import { PYTHONS, type PythonRecipe } from './recipes.js';

const PRERELEASE = /(a|b|rc)\d+$/;

export function supportedVersions(pythons: readonly PythonRecipe[] = PYTHONS): string {
  return pythons.map((p) => `${p.version.split('.').slice(0, 2).join('.')} (${p.version})`).join(', ');
}

/**
 * Pick the pinned CPython for a request: `3.13` means its pinned patch
 * release, `3.13.5` must be exactly pinned, nothing means the newest final one.
 */
export function selectPython(requested: string | undefined, pythons: readonly PythonRecipe[] = PYTHONS): PythonRecipe {
  const wanted = requested?.trim();
  if (!wanted) {
    const finals = pythons.filter((p) => !PRERELEASE.test(p.version));
    const newest = finals[finals.length - 1];
    if (!newest) throw new Error('no final CPython release is pinned');
    return newest;
  }
  if (!/^3\.\d+(\.\d+((a|b|rc)\d+)?)?$/.test(wanted)) {
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
