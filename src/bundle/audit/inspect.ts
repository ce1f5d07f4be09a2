import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { openAppendedZip, type AppendedZip } from '../../plumbing/appended-zip.js';
import { PybinError } from '../../plumbing/errors.js';
import { formatMegabytes } from '../../plumbing/format.js';
import { NOTICES_ENTRY, SBOM_ENTRY } from './audit.js';
import { PROPERTY_PREFIX, withBinaryHashes } from './sbom.js';

/** What `pybin inspect` says of a binary, read from its file: nothing in it runs. */
export interface Inspection {
  file: string;
  app: { name: string; version?: string };
  pybinVersion?: string;
  /** The build facts the SBOM records as pybin:* properties (python, target, requires-glibc, entry, recipe-hash, ...). */
  build: Record<string, string>;
  binary: { size: number; sha256: string };
  launcher: { size: number; sha256: string };
  zip: { size: number; sha256: string; entries: number };
  /** CPython and the C libraries in the interpreter. */
  toolchain: Part[];
  /** The Python distributions in the app. */
  distributions: Part[];
}

export interface Part {
  name: string;
  version?: string;
  /** SPDX ids or expressions, or license names; empty when none could be derived. */
  licenses: string[];
  purl?: string;
  sha256?: string;
}

interface SbomComponent {
  name: string;
  version?: string;
  purl?: string;
  hashes?: { alg: string; content: string }[];
  licenses?: { license?: { id?: string; name?: string }; expression?: string }[];
}

interface SbomDocument {
  metadata?: {
    component?: { name?: string; version?: string };
    tools?: { components?: { name?: string; version?: string }[] };
    properties?: { name: string; value: string }[];
  };
  components?: SbomComponent[];
}

/** The SBOM (with the binary's own hashes, as written beside it), the notices and the inspection of a pybin binary. */
export interface InspectedBinary {
  inspection: Inspection;
  sbom: string;
  notices: string;
}

const ELF_MAGIC = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);

function startsWithElfMagic(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(4);
    return readSync(fd, head, 0, 4, 0) === 4 && head.equals(ELF_MAGIC);
  } finally {
    closeSync(fd);
  }
}

/** sha256 of the whole file, of its first `split` bytes and of the rest, in one read (binaries run to hundreds of MB). */
function sha256Split(file: string, split: number): { whole: string; head: string; tail: string } {
  const [whole, head, tail] = [createHash('sha256'), createHash('sha256'), createHash('sha256')];
  const fd = openSync(file, 'r');
  try {
    const chunk = Buffer.alloc(1 << 20);
    for (let at = 0; ; ) {
      // Chunks stop at the split, so each lies wholly on one side.
      const read = readSync(fd, chunk, 0, at < split ? Math.min(chunk.length, split - at) : chunk.length, at);
      if (read <= 0) break;
      const bytes = chunk.subarray(0, read);
      whole.update(bytes);
      (at < split ? head : tail).update(bytes);
      at += read;
    }
  } finally {
    closeSync(fd);
  }
  return { whole: whole.digest('hex'), head: head.digest('hex'), tail: tail.digest('hex') };
}

function openPybinZip(file: string): AppendedZip {
  if (!existsSync(file)) throw new PybinError(`${file} does not exist`, 'binary');
  if (!statSync(file).isFile()) throw new PybinError(`${file} is not a file`, 'binary');
  if (!startsWithElfMagic(file)) throw new PybinError(`${file} is not a pybin binary: it is not an ELF executable`, 'binary');
  const zip = openAppendedZip(file);
  if (!zip) {
    throw new PybinError(
      `${file} has no app appended: it was stripped or cut short (strip drops what pybin appends), or it is not a pybin binary`,
      'binary',
    );
  }
  if (!zip.members.has(SBOM_ENTRY)) {
    const pybinRuntime = zip.members.has('_pybin_boot.pyc');
    zip.close();
    throw new PybinError(
      pybinRuntime
        ? `${file} is a pybin binary from a version that wrote no SBOM into it (${SBOM_ENTRY}): build it again to inspect it`
        : `${file} is not a pybin binary: it ends in a ZIP, but not one pybin wrote`,
      'binary',
    );
  }
  return zip;
}

/** What the reading below relies on: an object with metadata.component, and lists where lists are. */
function isSbomShaped(document: unknown): document is SbomDocument {
  const d = document as SbomDocument | null;
  const isObject = (value: unknown) => typeof value === 'object' && value !== null && !Array.isArray(value);
  return (
    isObject(d) &&
    isObject(d!.metadata) &&
    isObject(d!.metadata!.component) &&
    (d!.metadata!.properties === undefined || (Array.isArray(d!.metadata!.properties) && d!.metadata!.properties.every((p) => isObject(p) && typeof p.name === 'string'))) &&
    (d!.components === undefined || (Array.isArray(d!.components) && d!.components.every((c) => isObject(c) && typeof c.name === 'string')))
  );
}

function partOf(component: SbomComponent): Part {
  const licenses = (component.licenses ?? []).map((l) => l.expression ?? l.license?.id ?? l.license?.name ?? '').filter(Boolean);
  const sha256 = component.hashes?.find((h) => h.alg === 'SHA-256')?.content;
  return { name: component.name, ...(component.version ? { version: component.version } : {}), licenses, ...(component.purl ? { purl: component.purl } : {}), ...(sha256 ? { sha256 } : {}) };
}

export function inspectBinary(file: string): InspectedBinary {
  try {
    return inspectReadable(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (error instanceof PybinError || typeof code !== 'string') throw error;
    throw new PybinError(`cannot read ${file}: ${(error as Error).message}`, 'binary');
  }
}

function inspectReadable(file: string): InspectedBinary {
  const zip = openPybinZip(file);
  try {
    const inside = zip.read(SBOM_ENTRY).toString('utf8');
    const notices = zip.members.has(NOTICES_ENTRY) ? zip.read(NOTICES_ENTRY).toString('utf8') : '';
    const size = statSync(file).size;
    const digests = sha256Split(file, zip.prefixSize);
    const launcher = { size: zip.prefixSize, sha256: digests.head };
    const zipFacts = { size: zip.zipSize, sha256: digests.tail, entries: zip.members.size };
    const binary = { size, sha256: digests.whole };
    let document: SbomDocument;
    try {
      document = JSON.parse(inside) as SbomDocument;
    } catch {
      throw new PybinError(`${file}: its ${SBOM_ENTRY} is not JSON: the binary is damaged`, 'binary');
    }
    if (!isSbomShaped(document)) throw new PybinError(`${file}: its ${SBOM_ENTRY} is not the CycloneDX document pybin writes: the binary is damaged`, 'binary');
    const sbom = withBinaryHashes(inside, { binarySha256: binary.sha256, zipSha256: zipFacts.sha256 });
    const properties = document.metadata?.properties ?? [];
    const build = Object.fromEntries(properties.filter((p) => p.name.startsWith(PROPERTY_PREFIX)).map((p) => [p.name.slice(PROPERTY_PREFIX.length), p.value]));
    const components = document.components ?? [];
    const root = document.metadata?.component;
    const inspection: Inspection = {
      file,
      app: { name: root?.name ?? '', ...(root?.version ? { version: root.version } : {}) },
      pybinVersion: document.metadata?.tools?.components?.find((t) => t.name === 'pybin')?.version,
      build,
      binary,
      launcher,
      zip: zipFacts,
      toolchain: components.filter((c) => c.purl?.startsWith('pkg:generic/')).map(partOf),
      distributions: components.filter((c) => c.purl?.startsWith('pkg:pypi/')).map(partOf),
    };
    return { inspection, sbom, notices };
  } finally {
    zip.close();
  }
}

function partLine(part: Part, width: number): string {
  const label = `${part.name} ${part.version ?? ''}`.trim();
  return `    ${label.padEnd(width)}  ${part.licenses.length ? part.licenses.join('; ') : 'license unknown'}`;
}

/** `pybin inspect`'s text: the build, then what is inside. */
export function formatInspection(i: Inspection): string {
  const b = i.build;
  const runsOn = b['requires-glibc'] ? `, runs on glibc ${b['requires-glibc']} or newer` : b.target?.endsWith('-musl') ? ', static: runs on any Linux' : '';
  const parts = [...i.toolchain, ...i.distributions];
  const width = Math.max(0, ...parts.map((p) => `${p.name} ${p.version ?? ''}`.trim().length));
  const lines = [
    `${i.file}`,
    `  app          ${i.app.name}${i.app.version ? ` ${i.app.version}` : ''}, entry ${b.entry ?? '?'}`,
    `  python       ${b.python ?? '?'}`,
    `  target       ${b.target ?? '?'}${runsOn}`,
    `  built with   pybin ${i.pybinVersion ?? '?'}: compression ${b.compression ?? '?'}, sources ${b['keep-sources'] === 'false' ? 'left out' : 'kept'}${b.extract === 'true' ? ', --extract' : ''}`,
    `  interpreter  recipe ${b['recipe-hash'] ?? '?'}`,
    `  launcher     ${formatMegabytes(i.launcher.size)}, sha256 ${i.launcher.sha256}`,
    `  ZIP          ${formatMegabytes(i.zip.size)}, ${i.zip.entries} entries, sha256 ${i.zip.sha256}`,
    `  binary       ${formatMegabytes(i.binary.size)}, sha256 ${i.binary.sha256}`,
    `  interpreter components (${i.toolchain.length}):`,
    ...i.toolchain.map((p) => partLine(p, width)),
    `  Python distributions (${i.distributions.length}):`,
    ...i.distributions.map((p) => partLine(p, width)),
  ];
  return `${lines.join('\n')}\n`;
}
