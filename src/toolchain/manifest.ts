import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { PybinError, errorMessage } from '../errors.js';
import type { Progress } from '../progress.js';
import { buildOnce } from './cache.js';
import { capture } from './exec.js';
import { sha256File } from './hash.js';
import { DEFAULT_RETRY, describe, get, isHttpUrl, withRetries, type RetryPolicy } from './http.js';
import { METADATA_FILE, type ToolchainMetadata } from './toolchain.js';

/** One prebuilt toolchain: what it is (python, target, recipeHash) and where its tar.gz is. */
export interface ManifestEntry {
  python: string;
  target: string;
  recipeHash: string;
  url: string;
  sha256: string;
  size?: number;
}

export interface Manifest {
  schema: 1;
  toolchains: ManifestEntry[];
}

export type ToolchainIdentity = Pick<ToolchainMetadata, 'python' | 'target' | 'recipeHash'>;

const MANIFEST_SCHEMA = 1;
const INPUT = 'manifest-url';
const HEX64 = /^[0-9a-f]{64}$/i;
const PYTHON_VERSION = /^3\.\d+\.\d+((a|b|rc)\d+)?$/;
const TARGET = /^[A-Za-z0-9_.-]+$/;

// ---- the manifest: pure parts ----

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
      python: field('python', (v) => PYTHON_VERSION.test(v), 'a CPython version like "3.13.5"'),
      target: field('target', (v) => TARGET.test(v), 'a target triple like "x86_64-linux-musl"'),
      recipeHash: field('recipeHash', (v) => HEX64.test(v), '64 hex digits').toLowerCase(),
      url: field('url', isDownloadUrl, 'an absolute http(s) or file URL'),
      sha256: field('sha256', (v) => HEX64.test(v), '64 hex digits').toLowerCase(),
    };
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

// ---- fetching ----

/** The manifest at an http(s) URL, a file URL or a path. */
export async function fetchManifest(url: string, progress: Progress, retry: RetryPolicy = DEFAULT_RETRY): Promise<ManifestEntry[]> {
  if (/^[a-z][a-z0-9+.-]+:\/\//i.test(url) && !isHttpUrl(url) && !url.startsWith('file:')) {
    throw new PybinError(`toolchain manifest ${url}: only http(s) URLs, file URLs and paths are supported`, INPUT);
  }
  let text: string;
  try {
    if (isHttpUrl(url)) {
      const chunks: Buffer[] = [];
      const collect = () =>
        new Writable({
          write(chunk: Buffer, _encoding, done) {
            chunks.push(chunk);
            done();
          },
        });
      await withRetries(`toolchain manifest ${url}`, retry, progress, () => {
        chunks.length = 0;
        return get(url, retry.stallTimeoutMs, collect);
      });
      text = Buffer.concat(chunks).toString('utf8');
    } else {
      text = await readFile(url.startsWith('file:') ? fileURLToPath(url) : url, 'utf8');
    }
  } catch (error) {
    throw new PybinError(`cannot fetch the toolchain manifest ${url}: ${describe(error)}. Check the manifest-url input.`, INPUT);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new PybinError(`toolchain manifest ${url} is not valid JSON (${errorMessage(error)})`, INPUT);
  }
  return parseManifest(json, url);
}

/**
 * Download, verify and unpack a prebuilt toolchain at `finalDir`. The
 * checksum is checked before anything is unpacked, and the unpacked
 * toolchain must say it is the one the entry promised; only then is it
 * renamed into place, so a failure leaves nothing at `finalDir`.
 */
export async function downloadToolchain(
  entry: ManifestEntry,
  finalDir: string,
  progress: Progress,
  retry: RetryPolicy = DEFAULT_RETRY,
): Promise<void> {
  const file = basename(new URL(entry.url).pathname) || 'toolchain.tar.gz';
  await buildOnce(finalDir, async (workDir) => {
    const archive = `${workDir}.tar.gz`;
    try {
      await progress.stage(`download toolchain ${file}`, () => download(entry.url, archive, file, retry, progress));
      await verifyArchive(entry, archive);
      await unpackArchive(entry, archive, workDir);
      checkIdentity(entry, workDir);
    } finally {
      rmSync(archive, { force: true });
    }
  });
}

async function download(url: string, dest: string, file: string, retry: RetryPolicy, progress: Progress): Promise<void> {
  try {
    if (isHttpUrl(url)) {
      await withRetries(`download ${file}`, retry, progress, () => get(url, retry.stallTimeoutMs, () => createWriteStream(dest)));
    } else {
      await pipeline(createReadStream(fileURLToPath(url)), createWriteStream(dest));
    }
  } catch (error) {
    throw new PybinError(`cannot download toolchain ${file} from ${url}: ${describe(error)}`, INPUT);
  }
}

async function verifyArchive(entry: ManifestEntry, archive: string): Promise<void> {
  const actual = await sha256File(archive);
  if (actual === entry.sha256) return;
  const size = statSync(archive).size;
  const sizes = entry.size !== undefined && entry.size !== size ? ` (got ${size} bytes, the manifest says ${entry.size})` : '';
  throw new PybinError(
    `checksum mismatch for toolchain ${entry.url}: expected sha256 ${entry.sha256}, got ${actual}${sizes}. ` +
      'The file was not unpacked.',
    INPUT,
  );
}

async function unpackArchive(entry: ManifestEntry, archive: string, into: string): Promise<void> {
  mkdirSync(into, { recursive: true });
  try {
    // -p: the archive's 0755/0644 modes as they are, whatever the umask.
    await capture(['tar', '--no-same-owner', '-xzpf', archive, '-C', into]);
  } catch (error) {
    throw new PybinError(`cannot unpack toolchain ${entry.url}: ${errorMessage(error)}`, INPUT);
  }
}

function checkIdentity(entry: ManifestEntry, dir: string): void {
  const actual = readIdentity(dir, `toolchain ${entry.url}`);
  if (sameIdentity(actual, entry)) return;
  throw new PybinError(
    `toolchain ${entry.url} is ${describeIdentity(actual)}, but its manifest entry promises ${describeIdentity(entry)}; not using it`,
    INPUT,
  );
}

// ---- small helpers ----

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

function sameIdentity(a: ToolchainIdentity, b: ToolchainIdentity): boolean {
  return a.python === b.python && a.target === b.target && a.recipeHash === b.recipeHash;
}

function describeIdentity(t: ToolchainIdentity): string {
  return `CPython ${t.python} for ${t.target} from recipe ${t.recipeHash}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isDownloadUrl(value: string): boolean {
  try {
    return ['http:', 'https:', 'file:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

/** Code-unit order: the same on every machine, unlike locale order. */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function shown(value: unknown): string {
  const text = value === undefined ? 'nothing' : JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}
