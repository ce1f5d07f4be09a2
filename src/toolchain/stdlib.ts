import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { walkTree } from '../plumbing/tree.js';
import { STDLIB_EXCLUDES } from './recipes.js';

/**
 * Copy a compiled Lib/ tree (its .pyc beside the .py, as `compileall -b`
 * writes them) into a sourceless stdlib: .pyc and data files, no .py, no
 * __pycache__, none of STDLIB_EXCLUDES.
 */
export function copySourcelessTree(from: string, to: string): number {
  const excluded = new Set(STDLIB_EXCLUDES);
  const skip = ({ name }: { name: string }) =>
    excluded.has(name) || excluded.has(name.replace(/\.pyc$/, '.py')) || name.endsWith('__pycache__/');
  let count = 0;
  mkdirSync(to, { recursive: true });
  for (const { name, path, stats } of walkTree(from, skip)) {
    if (stats.isDirectory()) {
      mkdirSync(join(to, name), { recursive: true });
    } else if (stats.isFile() && !name.endsWith('.py')) {
      copyFileSync(path, join(to, name));
      count++;
    }
  }
  return count;
}
