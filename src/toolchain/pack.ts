import { mkdirSync, readlinkSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { TarArchive } from 'archiver';
import { writeArchive } from '../plumbing/archive-writer.js';
import { fixedZipDate } from '../plumbing/timestamps.js';
import { PybinError } from '../plumbing/errors.js';
import { sha256File } from '../plumbing/hash.js';
import { walkTree, type TreeEntry } from '../plumbing/tree.js';
import { contentProblem, recordedContent } from './content.js';
import { readIdentity, type ManifestEntry } from './manifest.js';

/**
 * Write `pybin-cpython-<python>-<target>-<hash16>.tar.gz` of a toolchain dir
 * into `outDir` and return its manifest entry, its URL under `urlBase`. The
 * bytes depend only on the contents: sorted entries at the archive root, one
 * fixed mtime (1980-01-01 or SOURCE_DATE_EPOCH), modes 0755/0644, owner 0:0
 * with no names.
 */
export async function packToolchain(toolchainDir: string, outDir: string, urlBase: string): Promise<ManifestEntry> {
  const identity = readIdentity(toolchainDir, `toolchain ${toolchainDir}`);
  const problem = contentProblem(toolchainDir);
  if (problem) throw new PybinError(`cannot pack toolchain ${toolchainDir}: ${problem}`);
  const name = `pybin-cpython-${identity.python}-${identity.target}-${identity.recipeHash.slice(0, 16)}.tar.gz`;
  mkdirSync(outDir, { recursive: true });
  const out = join(outDir, name);
  const partial = `${out}.${process.pid}.partial`;
  try {
    await writeDeterministicTarGz(toolchainDir, partial, fixedZipDate());
    renameSync(partial, out);
  } finally {
    rmSync(partial, { force: true });
  }
  return {
    python: identity.python,
    target: identity.target,
    recipeHash: identity.recipeHash,
    url: `${urlBase.replace(/\/+$/, '')}/${name}`,
    sha256: await sha256File(out),
    size: statSync(out).size,
    content: recordedContent(toolchainDir)!,
  };
}

async function writeDeterministicTarGz(root: string, out: string, date: Date): Promise<void> {
  const archive = new TarArchive({ gzip: true, gzipOptions: { level: 9 } });
  await writeArchive(archive, out, () => {
    for (const { name, path, stats } of listTree(root)) {
      if (stats.isDirectory()) archive.append('', { name, type: 'directory', date, mode: 0o755 });
      else if (stats.isSymbolicLink()) archive.append('', { name, type: 'symlink', linkname: relativeLinkTarget(root, path), date, mode: 0o777 });
      else archive.file(path, { name, date, mode: stats.mode & 0o111 ? 0o755 : 0o644, stats });
    }
  });
}

function listTree(root: string): TreeEntry[] {
  const entries = walkTree(root);
  const odd = entries.find((e) => !e.stats.isDirectory() && !e.stats.isFile() && !e.stats.isSymbolicLink());
  if (odd) throw new PybinError(`cannot pack ${odd.path}: only files, directories and symlinks belong in a toolchain`);
  return entries;
}

/** A toolchain is relocatable, so its links must stay inside it and be relative. */
function relativeLinkTarget(root: string, link: string): string {
  const target = readlinkSync(link);
  const inside = relative(root, resolve(dirname(link), target));
  if (isAbsolute(target) || inside.startsWith(`..${sep}`) || inside === '..') {
    throw new PybinError(`cannot pack ${link}: it links to ${target}, outside the toolchain`);
  }
  return target;
}
