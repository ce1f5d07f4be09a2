import { readFileSync, statSync } from 'node:fs';
import { ZipArchive } from 'archiver';
import { writeArchive } from '../plumbing/archive-writer.js';
import { fixedZipDate } from '../plumbing/timestamps.js';

export interface ZipEntry {
  /** Name inside the archive, with / separators. */
  name: string;
  data: Buffer;
  /** Stored uncompressed whatever the archive's compression (compiled files: mapped straight from it; start-up modules: read without inflating). */
  store?: boolean;
  /** Recorded as mode 0755 (else 0644): --extract gives the unpacked file its executable bits back. */
  executable?: boolean;
}

export type Compression = 'deflate' | 'store';

/** Every directory that the entries live in, as explicit `dir/` names. */
export function directoriesOf(names: string[]): string[] {
  const dirs = new Set<string>();
  for (const name of names) {
    const parts = name.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(`${parts.slice(0, i).join('/')}/`);
  }
  return [...dirs];
}

/**
 * A reproducible ZIP: sorted names, explicit directory entries, one fixed
 * timestamp and fixed modes, so the same inputs give the same bytes.
 */
export async function writeDeterministicZip(entries: ZipEntry[], out: string, compression: Compression, date = fixedZipDate()): Promise<void> {
  const archive = new ZipArchive({ store: compression === 'store', zlib: { level: 9 }, forceZip64: false });
  const byName = new Map(entries.map((e) => [e.name, e]));
  const names = [...byName.keys(), ...directoriesOf([...byName.keys()])].sort();
  await writeArchive(archive, out, () => {
    for (const name of names) {
      if (name.endsWith('/')) archive.append('', { name, date, mode: 0o755, type: 'directory' } as never);
      else {
        const entry = byName.get(name)!;
        archive.append(entry.data, { name, date, mode: entry.executable ? 0o755 : 0o644, ...(entry.store ? { store: true } : {}) } as never);
      }
    }
  });
}

/** A file as a ZIP entry; `keepExecutable`: recorded executable when the file is (the app's files, not the stdlib). */
export function fileEntry(name: string, path: string, keepExecutable = false): ZipEntry {
  const executable = keepExecutable && (statSync(path).mode & 0o111) !== 0;
  return { name, data: readFileSync(path), ...(executable ? { executable } : {}) };
}
