import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The package root (where package.json, patches/ and src/launcher/ live), found
 * from this module's location so it works from src/ under tsx and from the
 * bundled dist/.
 */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('pybin: cannot find its package root (package.json)');
    dir = parent;
  }
  return dir;
}

/** pybin's own version, from its package.json. */
export function pybinVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}
