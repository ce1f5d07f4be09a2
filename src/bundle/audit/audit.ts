import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sourceDateEpoch } from '../../plumbing/timestamps.js';
import type { Toolchain } from '../../toolchain/toolchain.js';
import type { Entry } from '../entry.js';
import type { ZipEntry } from '../zip.js';
import { normalizeName } from '../dist-info.js';
import { parsePipReport, readDistributions, type Distribution } from './distributions.js';
import { distributionNotices, renderNotices, type NoticeText } from './notices.js';
import { renderSbom, type SbomFacts } from './sbom.js';

/** Where a binary keeps what it says about itself: a directory no import can name. */
export const AUDIT_DIR = '.pybin/';
export const SBOM_ENTRY = `${AUDIT_DIR}sbom.cdx.json`;
export const NOTICES_ENTRY = `${AUDIT_DIR}notices.txt`;

export interface AuditInput {
  /** The binary's file name. */
  binary: string;
  appName: string;
  /** The pyproject's distribution name, whose installed .dist-info is the app itself rather than a dependency. */
  projectName?: string;
  pybinVersion: string;
  toolchain: Pick<Toolchain, 'dir' | 'target' | 'metadata'>;
  stage: string;
  /** pip's --report files of the installs into the stage. */
  pipReports: string[];
  entry: Entry;
  requiresGlibc?: string;
  build: { compression: string; extract: boolean; keepSources: boolean };
  launcherSha256: string;
  env?: NodeJS.ProcessEnv;
}

/** The SBOM (inside form) and the notices of one binary, and the ZIP entries that carry them. */
export interface Audit {
  sbom: string;
  notices: string;
  entries: ZipEntry[];
  distributions: Distribution[];
}

export function describeEntry(entry: Entry): string {
  return 'script' in entry ? entry.script : `${entry.module}:${entry.attr}`;
}

/** The toolchain's licenses/ files, each under the component it belongs to (cpython-incorporated-software.txt: cpython). */
function toolchainNotices(toolchain: AuditInput['toolchain']): NoticeText[] {
  const dir = join(toolchain.dir, 'licenses');
  if (!existsSync(dir)) return [];
  const components = toolchain.metadata.components;
  return readdirSync(dir)
    .filter((file) => file.endsWith('.txt'))
    .sort()
    .map((file) => {
      const stem = file.slice(0, -'.txt'.length);
      const part = components.find((c) => stem === c.name || stem.startsWith(`${c.name}-`));
      const title = part ? `${part.name} ${part.version}` : `${stem} (bundled with CPython)`;
      return { title, source: `the interpreter's licenses/${file}`, text: readFileSync(join(dir, file), 'utf8') };
    });
}

export function auditBinary(input: AuditInput): Audit {
  const { toolchain, env = process.env } = input;
  const wheels = new Map(input.pipReports.flatMap((report) => [...parsePipReport(readFileSync(report, 'utf8'))]));
  const installed = readDistributions(input.stage, wheels);
  const project = input.projectName ? normalizeName(input.projectName) : undefined;
  const app = installed.find((d) => normalizeName(d.name) === project);
  const distributions = installed.filter((d) => d !== app);

  const facts: SbomFacts = {
    binary: input.binary,
    app: { name: input.appName, ...(app ? { version: app.version } : {}) },
    pybinVersion: input.pybinVersion,
    build: {
      python: toolchain.metadata.python,
      target: toolchain.target.triple,
      ...(input.requiresGlibc ? { 'requires-glibc': input.requiresGlibc } : {}),
      entry: describeEntry(input.entry),
      'recipe-hash': toolchain.metadata.recipeHash,
      compression: input.build.compression,
      extract: String(input.build.extract),
      'keep-sources': String(input.build.keepSources),
    },
    launcherSha256: input.launcherSha256,
    toolchain: toolchain.metadata.components.map(({ name, version, sha256 }) => ({ name, version, sha256 })),
    distributions,
    // Only SOURCE_DATE_EPOCH dates an SBOM: the same inputs must give the same bytes.
    timestamp: sourceDateEpoch(env),
  };
  const sbom = renderSbom(facts);
  const notices = renderNotices(input.appName, [...toolchainNotices(toolchain), ...distributionNotices(installed)]);
  return {
    sbom,
    notices,
    distributions,
    entries: [
      { name: SBOM_ENTRY, data: Buffer.from(sbom) },
      { name: NOTICES_ENTRY, data: Buffer.from(notices) },
    ],
  };
}
