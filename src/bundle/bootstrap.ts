import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../paths.js';
import type { Entry } from './entry.js';

export interface BootConfig {
  entry: Entry;
  /** Content hash of the app's files when built with --extract, else "". */
  extract: string;
  /** Top-level names in the ZIP that belong to the app (what --extract unpacks). */
  app: string[];
}

export const RUNTIME_FILES = ['__main__.py', '_pybin_files.py'];

export function runtimeSource(file: string): string {
  return readFileSync(join(packageRoot(), 'src', 'runtime', file), 'utf8');
}

/** The bootstrap __main__.py with its CONFIG filled in (JSON of strings and lists is a Python literal). */
export function renderBootstrap(config: BootConfig): string {
  const source = runtimeSource('__main__.py');
  const marker = /^CONFIG = \{\}.*$/m;
  if (!marker.test(source)) throw new Error('src/runtime/__main__.py has no CONFIG line');
  return source.replace(marker, `CONFIG = ${JSON.stringify(config)}`);
}
