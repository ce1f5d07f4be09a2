import { spawnSync } from 'node:child_process';
import { runCommand } from '../plumbing/exec.js';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { splitArgs } from '../plumbing/split-args.js';
import { RUNTIME_FILES, runtimeFiles, type BootConfig } from './bootstrap.js';
import { resolveEntry, type Entry } from './entry.js';
import { fuse } from './fuse.js';
import { updateChecksums } from '../plumbing/checksums.js';
import { isNativeFile } from './native.js';
import type { CompiledIndex, GlibcRequirement } from './compiled.js';
import { parseTargetRequest, type TargetRequest } from './target.js';
import { stageForTarget } from './staging.js';
import { readProject, type Project } from './project.js';
import { compileTree, outputOf, runToolchainPython } from './python.js';
import { listFiles } from '../plumbing/tree.js';
import { fileEntry, writeDeterministicZip, type Compression, type ZipEntry } from './zip.js';
import { PybinError, errorMessage } from '../plumbing/errors.js';
import { formatMegabytes } from '../plumbing/format.js';
import type { Progress } from '../plumbing/progress.js';
import { ensureWritableDir } from '../plumbing/atomic-dir.js';
import { sha256 } from '../plumbing/hash.js';
import { targetByTriple, type Target } from '../toolchain/targets.js';
import { targetRunner, type TargetRunner } from '../toolchain/cross.js';
import type { Toolchain } from '../toolchain/toolchain.js';
import { choosePython } from '../toolchain/versions.js';

export interface BundleOptions {
  appDir: string;
  entry?: string;
  name?: string;
  python?: string;
  outDir: string;
  requirements?: string;
  excludes: string[];
  compression: Compression;
  smokeTest?: string;
  extract: boolean;
  keepSources: boolean;
  sourcesFile?: string;
  cacheDir?: string;
  jobs?: number;
  /** The name when --name and pyproject give none (the Action passes the repository's); else the app dir's. */
  fallbackName?: string;
  /** auto (default) or a target triple. */
  target?: string;
  /** The newest glibc the binary may require (2_28, 2.28, manylinux2014, ...), for glibc targets. */
  manylinux?: string;
}

export interface BundleResult {
  binary: string;
  name: string;
  /** As in the binary's name: linux, x86_64. */
  os: string;
  arch: string;
  sha256: string;
  size: number;
  entry: Entry;
  toolchain: Toolchain;
  /** The target triple built for (the toolchain's). */
  target: string;
  /** glibc targets: the oldest glibc the binary runs on, and what decided it. */
  requiresGlibc?: GlibcRequirement;
  smokeTest?: { args: string[]; output: string };
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** A build whose inputs are all checked: made before any slow work starts. */
export interface BundlePlan {
  options: BundleOptions;
  appDir: string;
  project: Project;
  name: string;
  entry: Entry;
  requirements?: string;
  smokeArgs?: string[];
  outDir: string;
  binary: string;
  os: string;
  arch: string;
  /** The CPython version to ask for (undefined: the newest pinned final). */
  python?: string;
  target: TargetRequest;
}

/** The interpreter for a target (the pipeline resolves it: cache, download or build). */
export type ToolchainFor = (target: Target) => Promise<Toolchain>;

/** Check every build input against the app dir, without building anything. */
export function planBundle(options: BundleOptions): BundlePlan {
  const appDir = resolve(options.appDir);
  if (!existsSync(appDir) || !statSync(appDir).isDirectory()) {
    throw new PybinError(`app dir ${options.appDir} does not exist or is not a directory`, 'app');
  }
  const project = readProject(appDir);
  const name = options.name ?? project.name ?? options.fallbackName ?? basename(appDir);
  if (!NAME.test(name)) {
    throw new PybinError(`--name "${name}" must be a plain file name (letters, digits, . _ -), without a path separator`, 'name');
  }
  const entry = resolveEntry(options.entry, project.scripts, (p) => existsSync(join(appDir, p)) && statSync(join(appDir, p)).isFile());
  const requirements = options.requirements ?? (existsSync(join(appDir, 'requirements.txt')) ? join(appDir, 'requirements.txt') : undefined);
  if (requirements && !existsSync(requirements)) throw new PybinError(`--requirements ${requirements} does not exist`, 'requirements');
  let smokeArgs: string[] | undefined;
  try {
    smokeArgs = options.smokeTest === undefined ? undefined : splitArgs(options.smokeTest);
  } catch (error) {
    throw new PybinError(`--smoke-test: ${errorMessage(error)}`, 'smoke-test');
  }
  const target = parseTargetRequest(options.target, options.manylinux);
  const outDir = resolve(options.outDir);
  ensureWritableDir(outDir, 'output dir', 'out');
  // musl and glibc binaries of one architecture share a name: a job builds one of them.
  const { os, arch } = target.initial;
  const binary = join(outDir, `${name}-${os}-${arch}`);
  const python = choosePython(options.python, pythonVersionFile(appDir), project.requiresPython);
  return { options, appDir, project, name, entry, requirements, smokeArgs, outDir, binary, os, arch, python, target };
}

/** App dir -> staged tree (for the target its dependencies need) -> .pyc -> deterministic ZIP -> fused, checked binary. */
export async function bundleApp(plan: BundlePlan, toolchainFor: ToolchainFor, progress: Progress): Promise<BundleResult> {
  const { options, name, entry, smokeArgs, outDir, binary, os, arch } = plan;
  const work = mkdtempSync(join(outDir, `.pybin-${name}-`));
  try {
    const stage = join(work, 'stage');
    const { toolchain, staged } = await stageForTarget(plan, toolchainFor, stage, progress);
    for (const warning of staged.warnings) progress.warn(warning);
    const requiresGlibc = staged.kind === 'compiled' ? staged.glibc : undefined;
    if (requiresGlibc) progress.info(`requires glibc ${requiresGlibc.version} or newer (set by ${requiresGlibc.decidedBy})`);

    // The ZIP's __main__ is the bootstrap; an app's own __main__.py moves aside.
    const bootEntry = moveAppMain(stage, entry);
    await progress.stage('compile to .pyc', async () => {
      await compileTree(toolchain, stage);
      if (!options.keepSources) {
        for (const file of listFiles(stage).filter((f) => f.endsWith('.py') && existsSync(join(stage, `${f}c`)))) rmSync(join(stage, file));
      }
    });

    const zip = join(work, 'app.zip');
    await progress.stage('write the ZIP', async () => {
      const entries = await zipEntries(toolchain, stage, bootEntry, options.extract, staged.kind === 'compiled' ? staged.index : undefined, work);
      await writeDeterministicZip(entries, zip, options.compression);
      progress.info(`ZIP: ${entries.length} files, ${formatMegabytes(statSync(zip).size)} (${options.compression})`);
    });

    const fused = join(work, basename(binary));
    const smokeTest = await progress.stage('fuse and check', async () => {
      fuse(join(toolchain.dir, toolchain.metadata.launcher), zip, fused);
      const runner = targetRunner(targetByTriple(toolchain.metadata.target));
      await verifyZipThroughBinary(fused, runner, toolchain);
      if (!smokeArgs) return undefined;
      if ('missing' in runner) {
        progress.warn(`--smoke-test skipped: ${basename(binary)} is for ${arch} and cannot run on this machine: ${runner.missing}`);
        return undefined;
      }
      return { args: smokeArgs, output: runSmokeTest(fused, smokeArgs, runner.argv) };
    });
    renameSync(fused, binary);
    const digest = updateChecksums(outDir, binary);
    const size = statSync(binary).size;
    progress.info(`${basename(binary)}: ${formatMegabytes(size)}, sha256 ${digest}`);
    return { binary, name, os, arch, sha256: digest, size, entry, toolchain, target: toolchain.metadata.target, requiresGlibc, smokeTest };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const APP_MAIN = '__pybin_main__.py';

/**
 * The ZIP's __main__ is the bootstrap, so an app's own top-level __main__.py
 * moves aside to __pybin_main__.py (whether or not it is the entry: its
 * source must not pass for the bootstrap's). Returns the entry to run.
 */
function moveAppMain(stage: string, entry: Entry): Entry {
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

/** `.python-version` in the app dir, if there is one. */
function pythonVersionFile(appDir: string): string | undefined {
  const file = join(appDir, '.python-version');
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n')[0] : undefined;
}

/**
 * The stdlib modules every binary imports from its ZIP before the app's first
 * line (the rest of start-up is frozen or built in): stored, not deflated.
 * Inflating these few cost about 1 ms of a 25 ms hello world (4%); storing
 * them adds about 100 KB.
 */
export const STARTUP_STDLIB = ['encodings/__init__.pyc', 'encodings/aliases.pyc', 'encodings/utf_8.pyc', 'linecache.pyc'];

/** The stdlib, the staged app (which wins on a name clash) and the compiled runtime (src/runtime/). */
async function zipEntries(
  toolchain: Toolchain,
  stage: string,
  entry: Entry,
  extract: boolean,
  compiled: CompiledIndex | undefined,
  work: string,
): Promise<ZipEntry[]> {
  const entries = new Map<string, ZipEntry>();
  const stdlib = join(toolchain.dir, toolchain.metadata.stdlib);
  for (const file of listFiles(stdlib)) entries.set(file, { ...fileEntry(file, join(stdlib, file)), store: STARTUP_STDLIB.includes(file) });
  // Compiled files are stored: the runtime copies them into memory as they are, and inflating costs more than reading.
  const app = listFiles(stage).map((file) => ({ ...fileEntry(file, join(stage, file)), store: isNativeFile(file) }));
  // The runtime's modules would shadow the app's (__main__ was moved aside; a stale __main__.pyc is simply replaced).
  const runtimeNames = new Set(RUNTIME_FILES.filter((f) => f !== '__main__.py').flatMap((f) => [f, `${f}c`]));
  const clash = app.find((e) => runtimeNames.has(e.name));
  if (clash) throw new PybinError(`the app's ${clash.name} has the name of a pybin runtime module; rename it`, 'app');
  for (const e of app) entries.set(e.name, e);

  const config: BootConfig = {
    entry,
    extract: extract ? sha256(Buffer.concat(app.flatMap((e) => [Buffer.from(`${e.name}\0`), e.data]))).slice(0, 32) : '',
    app: [...new Set(app.map((e) => e.name.split('/')[0]!))].sort(),
    compiled: app.some((e) => isNativeFile(e.name)),
    extensions: compiled?.extensions ?? {},
    preload: compiled?.preload ?? {},
  };
  const boot = join(work, 'boot');
  mkdirSync(boot);
  for (const [file, source] of runtimeFiles(config)) writeFileSync(join(boot, file), source);
  await compileTree(toolchain, boot);
  // The runtime's modules are start-up code too (where a build uses them): stored.
  for (const file of RUNTIME_FILES) entries.set(`${file}c`, { ...fileEntry(`${file}c`, join(boot, `${file}c`)), store: true });
  return [...entries.values()];
}

/**
 * The ZIP must be readable through the binary itself, as zipimport will read
 * it (under the emulator for another architecture; with none, the build
 * host's Python reads it).
 */
async function verifyZipThroughBinary(binary: string, runner: TargetRunner, toolchain: Toolchain): Promise<void> {
  const check = 'import sys, zipfile\nwith zipfile.ZipFile(sys.argv[1]) as z:\n    bad = z.testzip()\nsys.exit(f"corrupt entry {bad}" if bad else 0)';
  const args = ['-c', check, binary];
  const result = await ('argv' in runner
    ? runCommand([...runner.argv, binary, ...args], { ...process.env, PYBIN_INTERPRETER: '1' })
    : runToolchainPython(toolchain, args)
  ).catch((error: unknown) => ({ status: null, stdout: '', stderr: String(error) }));
  if (result.status !== 0) throw new PybinError(`the fused binary does not read back: ${outputOf(result)}`);
}

function runSmokeTest(binary: string, args: string[], emulator: string[]): string {
  // Emulated, CPython runs 10-20x slower.
  const timeout = emulator.length > 0 ? 600_000 : 120_000;
  const argv = [...emulator, binary, ...args];
  const result = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
  if (result.status !== 0) {
    const how = result.signal ? `was killed by ${result.signal}` : `exited ${result.status}`;
    throw new PybinError(`--smoke-test: \`${basename(binary)} ${args.join(' ')}\` ${how}; its output:\n${output}`, 'smoke-test');
  }
  return output;
}
