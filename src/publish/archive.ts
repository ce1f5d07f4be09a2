import { readFile, rename, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { TarArchive, ZipArchive } from 'archiver';
import { writeArchive } from '../plumbing/archive-writer.js';
import { fixedZipDate } from '../plumbing/timestamps.js';

/** How the binary travels as an artifact: as is, or inside a tar.gz (keeps the executable bit) or a zip. */
export const ARCHIVES = ['none', 'tar.gz', 'zip'] as const;
export type Archive = (typeof ARCHIVES)[number];

const EXECUTABLE = 0o755;

/**
 * The file to upload for `binary`: the binary itself, or a tar.gz or zip of
 * it in `outDir`. Downloaded artifacts lose the executable bit; an archive
 * keeps it as the entry's mode. Same binary, same bytes: one fixed timestamp.
 */
export async function archiveBinary(binary: string, kind: Archive, outDir: string): Promise<string> {
  if (kind === 'none') return binary;
  const out = join(outDir, `${basename(binary)}.${kind}`);
  const temp = join(outDir, `.${basename(out)}.${process.pid}.tmp`);
  const archive = kind === 'zip' ? new ZipArchive({ zlib: { level: 9 }, forceZip64: false }) : new TarArchive({ gzip: true, gzipOptions: { level: 9 } });
  try {
    const data = await readFile(binary);
    await writeArchive(archive, temp, () => archive.append(data, { name: basename(binary), date: fixedZipDate(), mode: EXECUTABLE }));
    await rename(temp, out);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  return out;
}
