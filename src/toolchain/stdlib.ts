import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { STDLIB_EXCLUDES } from './recipes.js';

/**
 * Copy a compiled Lib/ tree (its .pyc beside the .py, as `compileall -b`
 * writes them) into a sourceless stdlib: .pyc and data files, no .py, no
 * __pycache__, none of the excluded top-level packages.
 */
export function copySourcelessTree(from: string, to: string, top = true): number {
  let count = 0;
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    if (entry.name === '__pycache__' || (top && STDLIB_EXCLUDES.includes(entry.name))) continue;
    const source = join(from, entry.name);
    if (entry.isDirectory()) {
      count += copySourcelessTree(source, join(to, entry.name), false);
    } else if (entry.isFile() && !entry.name.endsWith('.py')) {
      copyFileSync(source, join(to, entry.name));
      count++;
    }
  }
  return count;
}
