import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PybinError } from '../plumbing/errors.js';
import { sha256 } from '../plumbing/hash.js';
import { listFiles } from '../plumbing/tree.js';
import type { Toolchain } from '../toolchain/toolchain.js';
import { RUNTIME_FILES, runtimeFiles, type BootConfig } from './bootstrap.js';
import type { CompiledIndex } from './compiled/glibc.js';
import { isCompiledFile } from './compiled/static.js';
import type { Entry } from './entry.js';
import { compileTree } from './python.js';
import { fileEntry, type ZipEntry } from './zip.js';

const APP_MAIN = '__pybin_main__.py';

/**
 * The ZIP's __main__ is the bootstrap, so an app's own top-level __main__.py
 * moves aside to __pybin_main__.py (whether or not it is the entry: its
 * source must not pass for the bootstrap's). Returns the entry to run.
 */
export function moveAppMain(stage: string, entry: Entry): Entry {
  if ('script' in entry && !existsSync(join(stage, entry.script))) {
    throw new PybinError(
      `entry script ${entry.script} is not among the files pip installed for this pyproject app; ` +
        'use a [project.scripts] name or --entry module:function',
      'entry',
    );
  }
  if (!existsSync(join(stage, '__main__.py'))) return entry;
  if (existsSync(join(stage, APP_MAIN))) {
    throw new PybinError(`the app has a ${APP_MAIN}, the name pybin gives its __main__.py: rename it`, 'app');
  }
  renameSync(join(stage, '__main__.py'), join(stage, APP_MAIN));
  return 'script' in entry && entry.script === '__main__.py' ? { script: APP_MAIN } : entry;
}

/**
 * The stdlib modules every binary imports from its ZIP before the app's first
 * line (the rest of start-up is frozen or built in): stored, not deflated, so
 * that start-up inflates nothing.
 */
export const STARTUP_STDLIB = ['encodings/__init__.pyc', 'encodings/aliases.pyc', 'encodings/utf_8.pyc', 'linecache.pyc'];

/**
 * What the ZIP holds: the stdlib, the staged app (which wins on a name clash),
 * the compiled runtime (src/runtime/) and what the binary says about itself
 * (`audit`: its SBOM and notices, under a directory of pybin's).
 */
export async function zipEntries(
  toolchain: Toolchain,
  stage: string,
  entry: Entry,
  extract: boolean,
  compiled: CompiledIndex | undefined,
  work: string,
  audit: ZipEntry[],
): Promise<ZipEntry[]> {
  const entries = new Map<string, ZipEntry>();
  const stdlib = join(toolchain.dir, toolchain.metadata.stdlib);
  for (const file of listFiles(stdlib)) entries.set(file, { ...fileEntry(file, join(stdlib, file)), store: STARTUP_STDLIB.includes(file) });
  // Compiled files are stored: the runtime copies them into memory as they are, and inflating costs more than reading.
  const app = listFiles(stage).map((file) => ({ ...fileEntry(file, join(stage, file), true), store: isCompiledFile(file) }));
  // The runtime's modules would shadow the app's (__main__ was moved aside; a stale __main__.pyc is simply replaced).
  const runtimeNames = new Set(RUNTIME_FILES.filter((f) => f !== '__main__.py').flatMap((f) => [f, `${f}c`]));
  const clash = app.find((e) => runtimeNames.has(e.name));
  if (clash) throw new PybinError(`the app's ${clash.name} has the name of a pybin runtime module; rename it`, 'app');
  const auditDirs = new Set(audit.map((e) => `${e.name.split('/')[0]}/`));
  const inAuditDir = app.find((e) => auditDirs.has(`${e.name.split('/')[0]}/`));
  if (inAuditDir) throw new PybinError(`the app's ${inAuditDir.name} is inside ${inAuditDir.name.split('/')[0]}/, where pybin keeps the binary's SBOM and notices; rename it`, 'app');
  for (const e of app) entries.set(e.name, e);

  const config: BootConfig = {
    entry,
    extract: extract ? sha256(Buffer.concat(app.flatMap((e) => [Buffer.from(`${e.name}\0`), e.data]))).slice(0, 32) : '',
    app: [...new Set(app.map((e) => e.name.split('/')[0]!))].sort(),
    compiled: app.some((e) => isCompiledFile(e.name)),
    extensions: compiled?.extensions ?? {},
    preload: compiled?.preload ?? {},
    links: compiled?.links ?? {},
  };
  const boot = join(work, 'boot');
  mkdirSync(boot);
  for (const [file, source] of runtimeFiles(config)) writeFileSync(join(boot, file), source);
  await compileTree(toolchain, boot);
  // The runtime's modules are start-up code too (where a build uses them): stored.
  for (const file of RUNTIME_FILES) entries.set(`${file}c`, { ...fileEntry(`${file}c`, join(boot, `${file}c`)), store: true });
  for (const e of audit) entries.set(e.name, e);
  return [...entries.values()];
}
