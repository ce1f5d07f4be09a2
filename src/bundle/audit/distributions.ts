import { existsSync, lstatSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { distInfoDirs, normalizeName } from '../dist-info.js';
import { deriveLicense, type DerivedLicense } from './licenses.js';

/** A Python distribution installed into the stage, as its .dist-info says. */
export interface Distribution {
  name: string;
  version: string;
  license: DerivedLicense;
  /** The license files it ships (their paths inside the binary, their texts). */
  licenseFiles: { path: string; text: string }[];
  /** sha256 of the wheel pip installed it from, when pip reported one. */
  wheelSha256?: string;
}

/** Core metadata's header fields (RFC 822 style), the repeatable ones as lists. */
export interface CoreMetadata {
  name?: string;
  version?: string;
  licenseExpression?: string;
  license?: string;
  classifiers: string[];
  licenseFiles: string[];
}

/** Parse a METADATA file's headers; the description after the blank line is not read. */
export function parseCoreMetadata(text: string): CoreMetadata {
  const fields: [string, string][] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line === '') break;
    const continued = /^[ \t]/.test(line) && fields.length > 0;
    if (continued) {
      // Multi-line License fields indent their lines (often with 8 spaces and a |).
      fields[fields.length - 1]![1] += `\n${/^\s+\|/.test(line) ? line.replace(/^\s+\|/, '') : line.trimStart()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon > 0) fields.push([line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()]);
  }
  const one = (key: string) => fields.find(([k]) => k === key)?.[1];
  const all = (key: string) => fields.filter(([k]) => k === key).map(([, v]) => v);
  return {
    name: one('name'),
    version: one('version'),
    licenseExpression: one('license-expression'),
    license: one('license'),
    classifiers: all('classifier'),
    licenseFiles: all('license-file'),
  };
}

const LICENSE_LIKE = /^(licen[cs]e|copying|notice|authors|copyright)/i;
/** Larger is no license text; it would only bloat every copy of the binary. */
const MAX_LICENSE_BYTES = 1 << 20;

/**
 * A name a distribution's METADATA lists as a License-File, if it is a plain
 * relative path: the metadata is the distribution's to write, and a name like
 * ../../proc/self/environ would copy pybin's environment (the release token)
 * into the notices of a published binary.
 */
function plainRelativePath(name: string): boolean {
  return name !== '' && !name.startsWith('/') && !/[\\\0]/.test(name) && !name.split('/').some((part) => part === '..' || part === '.' || part === '');
}

/** The file's text if it is a regular file (no symlink) inside `dir`, of a license's size. */
function readInside(dir: string, file: string): string | undefined {
  let info;
  try {
    info = lstatSync(file);
  } catch {
    return undefined;
  }
  if (!info.isFile() || info.size > MAX_LICENSE_BYTES) return undefined;
  const real = realpathSync(file);
  return real.startsWith(`${realpathSync(dir)}/`) ? readFileSync(real, 'utf8') : undefined;
}

/**
 * The license files of a .dist-info: those its metadata lists (PEP 639 puts
 * them under licenses/, older wheels beside METADATA), else any file there
 * whose name says it is one.
 */
function licenseFilesOf(stage: string, infoDir: string, listed: string[]): { path: string; text: string }[] {
  const candidates = listed.length
    ? listed.filter(plainRelativePath).flatMap((file) => [`${infoDir}/licenses/${file}`, `${infoDir}/${file}`])
    : [infoDir, `${infoDir}/licenses`].flatMap((dir) =>
        existsSync(join(stage, dir)) && statSync(join(stage, dir)).isDirectory()
          ? readdirSync(join(stage, dir)).filter((f) => LICENSE_LIKE.test(f)).sort().map((f) => `${dir}/${f}`)
          : [],
      );
  const found = new Map<string, { path: string; text: string }>();
  for (const path of candidates) {
    // One listed file is found once, under licenses/ if it is there.
    const key = listed.length ? path.replace(`${infoDir}/licenses/`, `${infoDir}/`) : path;
    if (found.has(key)) continue;
    const text = readInside(join(stage, infoDir), join(stage, path));
    if (text !== undefined) found.set(key, { path, text });
  }
  return [...found.values()];
}

/** Every distribution installed at the stage's top level, sorted by name; `wheels` adds the hash pip reported for a name and version. */
export function readDistributions(stage: string, wheels: Map<string, { version: string; sha256?: string }> = new Map()): Distribution[] {
  const infoDirs = distInfoDirs(stage).filter((d) => existsSync(join(stage, d, 'METADATA'))).sort();
  return infoDirs
    .map((infoDir) => {
      const metadata = parseCoreMetadata(readFileSync(join(stage, infoDir, 'METADATA'), 'utf8'));
      const [dirName = '', dirVersion = ''] = infoDir.slice(0, -'.dist-info'.length).split('-');
      const name = metadata.name ?? dirName;
      const version = metadata.version ?? dirVersion;
      const wheel = wheels.get(normalizeName(name));
      return {
        name,
        version,
        license: deriveLicense(metadata),
        licenseFiles: licenseFilesOf(stage, infoDir, metadata.licenseFiles),
        ...(wheel?.sha256 && wheel.version === version ? { wheelSha256: wheel.sha256 } : {}),
      };
    })
    .sort((a, b) => (normalizeName(a.name) < normalizeName(b.name) ? -1 : 1));
}

/**
 * What pip's --report says it installed: name -> version and the sha256 of
 * the wheel (pip 22.x writes `archive_info.hash`, newer ones `hashes`). The
 * download URLs are not kept: they name the build machine's mirror.
 */
export function parsePipReport(json: string): Map<string, { version: string; sha256?: string }> {
  const report = JSON.parse(json) as { install?: unknown[] };
  const wheels = new Map<string, { version: string; sha256?: string }>();
  for (const item of report.install ?? []) {
    const { metadata, download_info: info } = item as {
      metadata?: { name?: string; version?: string };
      download_info?: { url?: string; archive_info?: { hash?: string; hashes?: Record<string, string> } };
    };
    if (!metadata?.name || !metadata.version) continue;
    const archive = info?.archive_info;
    const fromHash = archive?.hash?.startsWith('sha256=') ? archive.hash.slice('sha256='.length) : undefined;
    const sha256 = info?.url?.endsWith('.whl') ? (archive?.hashes?.sha256 ?? fromHash) : undefined;
    wheels.set(normalizeName(metadata.name), { version: metadata.version, ...(sha256 ? { sha256 } : {}) });
  }
  return wheels;
}
