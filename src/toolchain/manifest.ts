import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PybinError, errorMessage } from '../plumbing/errors.js';
import { isSecureUrl } from '../plumbing/http.js';
import { METADATA_FILE, type ToolchainMetadata } from './metadata.js';
import { CPYTHON_VERSION } from './versions.js';

/** One prebuilt toolchain: what it is (python, target, recipeHash) and where its tar.gz is. */
export interface ManifestEntry {
  python: string;
  target: string;
  recipeHash: string;
  url: string;
  sha256: string;
  size?: number;
  /** The unpacked tree's content digest (content.ts); checked after unpacking where given. */
  content?: string;
}

export interface Manifest {
  schema: 1;
  toolchains: ManifestEntry[];
}

export type ToolchainIdentity = Pick<ToolchainMetadata, 'python' | 'target' | 'recipeHash'>;

const MANIFEST_SCHEMA = 1;
/** The input (and CLI flag) that names a manifest: every error about one points at it. */
export const INPUT = 'manifest-url';
const HEX64 = /^[0-9a-f]{64}$/i;
const TARGET = /^[A-Za-z0-9_.-]+$/;


/** Validate a manifest's JSON; `source` (its URL or path) names it in errors. */
export function parseManifest(json: unknown, source: string): ManifestEntry[] {
  const fail = (what: string) => new PybinError(`toolchain manifest ${source}: ${what}`, INPUT);
  if (!isRecord(json)) throw fail('expected an object like { "schema": 1, "toolchains": [...] }');
  if (json.schema !== MANIFEST_SCHEMA) {
    throw fail(`"schema" is ${shown(json.schema)}, but this pybin reads schema ${MANIFEST_SCHEMA}`);
  }
  if (!Array.isArray(json.toolchains)) throw fail('"toolchains" must be an array');
  return json.toolchains.map((raw: unknown, i) => {
    const where = `toolchains[${i}]`;
    if (!isRecord(raw)) throw fail(`${where} must be an object`);
    const field = (name: string, valid: (value: string) => boolean, expected: string): string => {
      const value = raw[name];
      if (typeof value !== 'string' || !valid(value)) throw fail(`${where}.${name} must be ${expected}, got ${shown(value)}`);
      return value;
    };
    const entry: ManifestEntry = {
      python: field('python', (v) => CPYTHON_VERSION.test(v), 'a CPython version like "3.13.5"'),
      target: field('target', (v) => TARGET.test(v), 'a target triple like "x86_64-linux-musl"'),
      recipeHash: field('recipeHash', (v) => HEX64.test(v), '64 hex digits').toLowerCase(),
      url: field('url', isDownloadUrl, 'an absolute https or file URL'),
      sha256: field('sha256', (v) => HEX64.test(v), '64 hex digits').toLowerCase(),
    };
    if (raw.content !== undefined) entry.content = field('content', (v) => HEX64.test(v), '64 hex digits').toLowerCase();
    if (raw.size !== undefined) {
      if (!Number.isSafeInteger(raw.size) || (raw.size as number) < 0) {
        throw fail(`${where}.size must be a whole number of bytes, got ${shown(raw.size)}`);
      }
      entry.size = raw.size as number;
    }
    return entry;
  });
}

/**
 * The entry for exactly this toolchain. The recipe hash must match too: a
 * toolchain built from other recipes (patches, configure flags, libraries)
 * is a different toolchain even with the same version and target.
 */
export function findManifestEntry(entries: readonly ManifestEntry[], wanted: ToolchainIdentity): ManifestEntry | undefined {
  return entries.find((e) => sameIdentity(e, wanted));
}

export function readIdentity(dir: string, what: string): ToolchainIdentity {
  const file = join(dir, METADATA_FILE);
  if (!existsSync(file)) throw new PybinError(`${what} has no ${METADATA_FILE} at its root`, INPUT);
  let metadata: unknown;
  try {
    metadata = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new PybinError(`${what}: cannot read ${METADATA_FILE} (${errorMessage(error)})`, INPUT);
  }
  const m = isRecord(metadata) ? metadata : {};
  if (typeof m.python !== 'string' || typeof m.target !== 'string' || typeof m.recipeHash !== 'string') {
    throw new PybinError(`${what}: ${METADATA_FILE} lacks "python", "target" or "recipeHash"`, INPUT);
  }
  return { python: m.python, target: m.target, recipeHash: m.recipeHash };
}

export function sameIdentity(a: ToolchainIdentity, b: ToolchainIdentity): boolean {
  return a.python === b.python && a.target === b.target && a.recipeHash === b.recipeHash;
}

export function describeIdentity(t: ToolchainIdentity): string {
  return `CPython ${t.python} for ${t.target} from recipe ${t.recipeHash}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isDownloadUrl(value: string): boolean {
  return isSecureUrl(value) || value.startsWith('file:');
}

function shown(value: unknown): string {
  const text = value === undefined ? 'nothing' : JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}
