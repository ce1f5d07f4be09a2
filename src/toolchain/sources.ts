import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { PybinError, errorMessage } from '../plumbing/errors.js';
import type { Progress } from '../plumbing/progress.js';
import { runLogged } from '../plumbing/exec.js';
import { DEFAULT_RETRY, describe, get, withRetries } from '../plumbing/http.js';
import { sha256File } from '../plumbing/hash.js';
import type { SourcePin } from './recipes.js';

/** Where one component's source comes from, after --sources overrides. */
export interface ResolvedSource {
  /** `cpython-3.13.5`, `openssl-3.5.7`: the key used in --sources files. */
  id: string;
  version: string;
  sha256: string;
  url?: string;
  path?: string;
}

export type SourceOverrides = Record<string, { url?: string; path?: string; sha256: string }>;

const SHA256 = /^[0-9a-f]{64}$/;

/** Read and validate a --sources file: `{ "<name>-<version>": { "url"|"path", "sha256" } }`. */
export function loadSourceOverrides(file: string): SourceOverrides {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new PybinError(`--sources ${file}: cannot read it as JSON (${errorMessage(error)})`, 'sources');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new PybinError(`--sources ${file}: expected an object mapping components to { "url" | "path", "sha256" }`, 'sources');
  }
  const overrides: SourceOverrides = {};
  for (const [id, entry] of Object.entries(parsed as Record<string, unknown>)) {
    const e = (entry ?? {}) as Record<string, unknown>;
    const where = `--sources ${file}: "${id}"`;
    if (typeof e.sha256 !== 'string' || !SHA256.test(e.sha256.toLowerCase())) {
      throw new PybinError(`${where} needs a "sha256" of 64 hex digits`, 'sources');
    }
    if ((typeof e.url === 'string') === (typeof e.path === 'string')) {
      throw new PybinError(`${where} needs exactly one of "url" or "path"`, 'sources');
    }
    const path = typeof e.path === 'string' ? (isAbsolute(e.path) ? e.path : resolve(dirname(file), e.path)) : undefined;
    overrides[id] = { sha256: e.sha256.toLowerCase(), ...(path ? { path } : { url: e.url as string }) };
  }
  return overrides;
}

export function resolveSource(name: string, pin: SourcePin, overrides: SourceOverrides): ResolvedSource {
  const id = `${name}-${pin.version}`;
  return { id, version: pin.version, ...(overrides[id] ?? { url: pin.url, sha256: pin.sha256 }) };
}

/** A local, checksum-verified copy of the source archive (downloaded into the cache if needed). */
export async function fetchSource(source: ResolvedSource, cacheDir: string, progress: Progress): Promise<string> {
  if (source.path) {
    if (!existsSync(source.path)) {
      throw new PybinError(
        `missing source tarball for ${source.id}: ${source.path} does not exist ` +
          '(fix the path in your --sources file, or re-run scripts/offline-sources.sh)',
        'sources',
      );
    }
    await verify(source, source.path);
    return source.path;
  }
  const url = source.url as string;
  const dir = join(cacheDir, 'sources', source.sha256);
  const file = join(dir, basename(new URL(url).pathname) || 'source');
  if (existsSync(file)) {
    try {
      await verify(source, file);
      return file;
    } catch {
      rmSync(file, { force: true }); // a corrupt cache entry: download again
    }
  }
  mkdirSync(dir, { recursive: true });
  const partial = `${file}.${process.pid}.partial`;
  await progress.stage(`download ${source.id}`, () => download(url, partial, source.id, progress));
  try {
    await verify(source, partial);
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  }
  renameSync(partial, file);
  return file;
}

async function download(url: string, dest: string, id: string, progress: Progress): Promise<void> {
  try {
    await withRetries(`download ${id}`, DEFAULT_RETRY, progress, () => get(url, DEFAULT_RETRY.stallTimeoutMs, () => createWriteStream(dest)));
  } catch (error) {
    rmSync(dest, { force: true });
    throw new PybinError(
      `cannot download ${id} from ${url}: ${describe(error)}. ` +
        'Offline or behind a mirror? Pass --sources FILE (scripts/offline-sources.sh makes one).',
      'sources',
    );
  }
}

async function verify(source: ResolvedSource, file: string): Promise<void> {
  const actual = await sha256File(file);
  if (actual !== source.sha256) {
    throw new PybinError(
      `checksum mismatch for ${source.id} (${file}): expected sha256 ${source.sha256}, got ${actual}. ` +
        'The file was not unpacked.',
      'sources',
    );
  }
}

/** Unpack a verified archive into an empty dir; returns its single top-level directory. */
export async function unpack(archive: string, into: string, logFile: string): Promise<string> {
  mkdirSync(into, { recursive: true });
  await runLogged(['tar', '-xf', archive, '-C', into, '--no-same-owner'], {
    cwd: into,
    env: process.env,
    logFile,
    label: `unpack ${basename(archive)}`,
  });
  const entries = readdirSync(into);
  const [top] = entries;
  if (entries.length !== 1 || !top) throw new PybinError(`${archive}: expected one top-level directory, found ${entries.length}`);
  return join(into, top);
}
