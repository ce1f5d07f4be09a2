import { createWriteStream } from 'node:fs';
import type { TarArchive, ZipArchive } from 'archiver';

/** Stream an archiver archive into `out`: resolves once the file is closed, rejects on any archiver warning. */
export async function writeArchive(archive: TarArchive | ZipArchive, out: string, addEntries: () => void): Promise<void> {
  const written = new Promise<void>((resolve, reject) => {
    const stream = createWriteStream(out);
    stream.on('close', resolve);
    stream.on('error', reject);
    archive.on('error', reject);
    archive.on('warning', reject);
    archive.pipe(stream);
  });
  addEntries();
  // Together, so an archiver error rejects instead of leaving finalize() pending.
  await Promise.all([archive.finalize(), written]);
}
