import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import lockfile from 'proper-lockfile';
import { errorMessage, PybinError } from './errors.js';
import { sha256File } from './hash.js';

const LINE = /^[0-9a-fA-F]+ [ *](.+)$/;

/** The file a SHA256SUMS line names, if it is such a line. */
function nameOf(line: string): string | undefined {
  return LINE.exec(line)?.[1];
}

/**
 * SHA256SUMS lines (`<hex>  <file>`, or `<hex> *<file>`) of both, one per file
 * name, `overriding`'s winning, sorted by file name. Lines of another shape are kept.
 */
export function mergeChecksums(base: string, overriding: string): string {
  const byName = new Map<string, string>();
  for (const line of `${base}\n${overriding}`.split(/\r?\n/)) {
    if (line.trim()) byName.set(nameOf(line) ?? line, line);
  }
  return [...byName.keys()].sort().map((name) => `${byName.get(name)}\n`).join('');
}

/** Only the lines for files `keep` accepts (lines of another shape stay). */
export function keepChecksums(text: string, keep: (name: string) => boolean): string {
  return text
    .split(/\r?\n/)
    .filter((line) => line.trim() && keep(nameOf(line) ?? ''))
    .map((line) => `${line}\n`)
    .join('');
}

/**
 * Add or replace the lines of `files` (all in DIR) in DIR/SHA256SUMS, and drop
 * the lines of files no longer there. Builds into one --out dir may run at
 * once: the update holds a lock, and a private temporary file is renamed into
 * place. `known`: digests the caller has already taken, by path. Returns each
 * file's sha256 by path.
 */
export async function updateChecksums(dir: string, files: string[], known: Map<string, string> = new Map()): Promise<Map<string, string>> {
  const digests = new Map<string, string>();
  for (const file of files) digests.set(file, known.get(file) ?? (await sha256File(file)));
  const sums = join(dir, 'SHA256SUMS');
  let compromised: Error | undefined;
  const release = await lockfile
    .lock(sums, {
      realpath: false,
      lockfilePath: `${sums}.lock`,
      stale: 30_000,
      retries: { retries: 60, minTimeout: 50, maxTimeout: 1_000, factor: 1.5 },
      // The default throws from a timer, which would end the process mid-build.
      onCompromised: (error) => void (compromised = error),
    })
    .catch((error: unknown) => {
      throw new PybinError(`cannot update ${sums}: another build has held ${sums}.lock for about a minute (${errorMessage(error)}); remove it if no build is running`, 'out');
    });
  try {
    const existing = existsSync(sums) ? readFileSync(sums, 'utf8') : '';
    const ours = [...digests].map(([file, digest]) => `${digest}  ${basename(file)}\n`).join('');
    const merged = keepChecksums(mergeChecksums(existing, ours), (name) => name === '' || existsSync(join(dir, name)));
    const temporary = join(dir, `.SHA256SUMS.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    try {
      writeFileSync(temporary, merged);
      renameSync(temporary, sums);
    } finally {
      rmSync(temporary, { force: true });
    }
  } finally {
    await release().catch(() => undefined); // a compromised lock is said below
  }
  if (compromised) throw new PybinError(`${sums} may hold lines of a build that ran at the same time: its lock was taken over (${compromised.message})`, 'out');
  return digests;
}
