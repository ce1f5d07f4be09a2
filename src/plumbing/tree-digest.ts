import { readFileSync, readlinkSync } from 'node:fs';
import { sha256 } from './hash.js';
import { walkTree } from './tree.js';

/**
 * One sha256 for everything under `root` but the top-level names in `leave`:
 * each entry's name and kind, a file's contents and whether it is executable
 * (not its other mode bits, nor times or owners, which packing and unpacking
 * change), a symlink's target. The same tree gives the same digest wherever
 * it was unpacked.
 */
export function treeDigest(root: string, leave: readonly string[] = []): string {
  const lines = walkTree(root, (entry) => leave.includes(entry.name)).map(({ name, path, stats }) => {
    if (stats.isDirectory()) return `d ${name}`;
    if (stats.isSymbolicLink()) return `l ${name} ${readlinkSync(path)}`;
    if (!stats.isFile()) return `? ${name}`;
    return `${stats.mode & 0o111 ? 'x' : 'f'} ${name} ${sha256(readFileSync(path))}`;
  });
  return sha256(lines.join('\n'));
}
