import { createReadStream, createWriteStream, mkdirSync, rmSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { PybinError, errorMessage } from '../plumbing/errors.js';
import type { Progress } from '../plumbing/progress.js';
import { buildOnce } from '../plumbing/atomic-dir.js';
import { capture } from '../plumbing/exec.js';
import { sha256File } from '../plumbing/hash.js';
import { DEFAULT_RETRY, describe, get, isHttpUrl, isSecureUrl, withRetries, type RetryPolicy } from '../plumbing/http.js';
import { contentProblem, recordContent, recordedContent } from './content.js';
import { describeIdentity, INPUT, parseManifest, readIdentity, sameIdentity, type ManifestEntry } from './manifest.js';
import { pinFor, type PinnedToolchain } from './pins.js';

/** Prebuilt toolchains over the wire: the manifest and the archives it lists (the format is manifest.ts). */

/** No manifest is this big; a download that is has gone wrong. */
const MAX_MANIFEST_BYTES = 4 << 20;
/** The cap on an archive whose entry gives no size: several times any toolchain's. */
const MAX_ARCHIVE_BYTES = 1 << 30;

/** The manifest at an http(s) URL, a file URL or a path. */
export async function fetchManifest(url: string, progress: Progress, retry: RetryPolicy = DEFAULT_RETRY): Promise<ManifestEntry[]> {
  if (/^[a-z][a-z0-9+.-]+:\/\//i.test(url) && !isSecureUrl(url) && !url.startsWith('file:')) {
    throw new PybinError(`toolchain manifest ${url}: only https URLs, file URLs and paths are supported (a manifest says what runs in your binaries)`, INPUT);
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
        return get(url, retry.stallTimeoutMs, collect, MAX_MANIFEST_BYTES);
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
 * toolchain must say it is the one the entry promised and hold what its
 * content digest says (the pinned one, where this release pins it); only
 * then is it renamed into place, so a failure leaves nothing at `finalDir`.
 * A toolchain already at `finalDir` is checked the same way, and fetched
 * again when it fails. True when `finalDir` was already there and whole.
 */
export async function downloadToolchain(
  entry: ManifestEntry,
  finalDir: string,
  progress: Progress,
  retry: RetryPolicy = DEFAULT_RETRY,
  pin: PinnedToolchain | undefined = pinFor(entry),
): Promise<boolean> {
  const file = basename(new URL(entry.url).pathname) || 'toolchain.tar.gz';
  if (pin && pin.sha256 !== entry.sha256) {
    throw new PybinError(`toolchain ${entry.url}: the manifest says sha256 ${entry.sha256}, but this release of pybin pins ${pin.sha256}; not using it`, INPUT);
  }
  const expected = pin?.content ?? entry.content;
  const { hit } = await buildOnce(
    finalDir,
    async (workDir) => {
      const archive = `${workDir}.tar.gz`;
      try {
        await progress.stage(`download toolchain ${file}`, () => download(entry.url, archive, file, retry, progress, entry.size ?? MAX_ARCHIVE_BYTES));
        await verifyArchive(entry, archive);
        await unpackArchive(entry, archive, workDir);
        checkIdentity(entry, workDir);
        if (!recordedContent(workDir)) recordContent(workDir); // packed by a pybin that recorded none
        const problem = contentProblem(workDir, expected);
        if (problem) throw new PybinError(`toolchain ${entry.url} does not unpack to what was packed: ${problem}; not using it`, INPUT);
      } finally {
        rmSync(archive, { force: true });
      }
    },
    { problem: (found) => contentProblem(found, expected), redoing: (why) => progress.warn(`the downloaded toolchain in ${finalDir} cannot be used (${why}): downloading it again`) },
  );
  return hit;
}

async function download(url: string, dest: string, file: string, retry: RetryPolicy, progress: Progress, maxBytes: number): Promise<void> {
  try {
    if (isHttpUrl(url)) {
      await withRetries(`download ${file}`, retry, progress, () => get(url, retry.stallTimeoutMs, () => createWriteStream(dest), maxBytes));
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

