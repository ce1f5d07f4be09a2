import { lstatSync, readdirSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { compareCodeUnits } from './order.js';

export interface TreeEntry {
  /** Relative to the root, with / separators; directories end with /. */
  name: string;
  path: string;
  /** lstat: a symlink is reported as one, never followed. */
  stats: Stats;
}

/**
 * Every entry under `root`, sorted by name in code-unit order (the same on
 * every machine). `skip` prunes an entry, and for a directory all below it.
 */
export function walkTree(root: string, skip: (entry: TreeEntry) => boolean = () => false): TreeEntry[] {
  const entries: TreeEntry[] = [];
  const walk = (dir: string, prefix: string) => {
    for (const child of readdirSync(dir)) {
      const path = join(dir, child);
      const stats = lstatSync(path);
      const entry = { name: `${prefix}${child}${stats.isDirectory() ? '/' : ''}`, path, stats };
      if (skip(entry)) continue;
      entries.push(entry);
      if (stats.isDirectory()) walk(path, entry.name);
    }
  };
  walk(root, '');
  return entries.sort((a, b) => compareCodeUnits(a.name, b.name));
}

/** The regular files under dir, as sorted relative paths with / separators. */
export function listFiles(dir: string): string[] {
  return walkTree(dir).filter((e) => e.stats.isFile()).map((e) => e.name);
}
