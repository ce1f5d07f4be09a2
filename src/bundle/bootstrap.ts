import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../plumbing/package-root.js';
import type { Entry } from './entry.js';

export interface BootConfig {
  entry: Entry;
  /** Content hash of the app's files when built with --extract, else "". */
  extract: string;
  /** Top-level names in the ZIP that belong to the app (what --extract unpacks). */
  app: string[];
  /** glibc targets: the ZIP holds compiled files, which load from memory (extensions, and libraries through ctypes). */
  compiled: boolean;
  /** glibc targets: dotted module -> ZIP member of its compiled extension (see compiled.ts). */
  extensions: Record<string, string>;
  /** glibc targets: ZIP member -> the vendored libraries to load before it. */
  preload: Record<string, string[]>;
  /** glibc targets: libraries that need each other -> where their copies name one another (see CompiledIndex.links). */
  links: Record<string, [number, number, string][]>;
}

/**
 * src/runtime/, shipped compiled at the top of every ZIP: the __main__ that
 * runs the bootstrap, the bootstrap (which carries CONFIG), the module
 * multiprocessing's children run as __mp_main__, the data-file hooks and the
 * loader of compiled modules from memory (glibc targets).
 */
export const RUNTIME_FILES = ['__main__.py', '_pybin_boot.py', '_pybin_mp_main.py', '_pybin_files.py', '_pybin_native.py', '_pybin_extract.py'];

/** The runtime file that carries CONFIG. */
const CONFIG_FILE = '_pybin_boot.py';

function runtimeSource(file: string): string {
  return readFileSync(join(packageRoot(), 'src', 'runtime', file), 'utf8');
}

/** A value as Python source: JSON, but for True, False and None. */
export function pythonLiteral(value: unknown): string {
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (value === null || value === undefined) return 'None';
  if (Array.isArray(value)) return `[${value.map(pythonLiteral).join(', ')}]`;
  if (typeof value === 'object') {
    return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${pythonLiteral(v)}`).join(', ')}}`;
  }
  return JSON.stringify(value); // strings (JSON escapes are Python escapes) and numbers
}

/** The bootstrap with its CONFIG filled in. */
function renderBootstrap(config: BootConfig): string {
  const source = runtimeSource(CONFIG_FILE);
  const marker = /^CONFIG = \{\}.*$/m;
  if (!marker.test(source)) throw new Error(`src/runtime/${CONFIG_FILE} has no CONFIG line`);
  return source.replace(marker, () => `CONFIG = ${pythonLiteral(config)}`);
}

/** Every runtime file's source for one app: name -> text. */
export function runtimeFiles(config: BootConfig): Map<string, string> {
  return new Map(RUNTIME_FILES.map((file) => [file, file === CONFIG_FILE ? renderBootstrap(config) : runtimeSource(file)]));
}
