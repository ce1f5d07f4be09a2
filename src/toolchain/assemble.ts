import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PybinError } from '../plumbing/errors.js';
import { packageRoot } from '../plumbing/package-root.js';
import { BUILD_PATH_ALIAS, createScratch, type BuildContext, type Scratch } from './context.js';
import { buildCPython, compileStdlib, cpythonEnv, cpythonLinkArgs, minorVersion } from './cpython.js';
import { capture, runLogged } from '../plumbing/exec.js';
import type { BuiltLibrary } from './library.js';
import { CPYTHON_BUNDLED_LICENSES, CPYTHON_PGO, type Allocator, type PythonRecipe } from './recipes.js';
import { fetchSource, unpack, type ResolvedSource } from './sources.js';
import { copySourcelessTree } from './stdlib.js';
import { METADATA_FILE, type ToolchainMetadata } from './metadata.js';
import { glibcFloor, readElfDynamic } from '../plumbing/elf.js';
import { MANYLINUX_SYSTEM_LIBRARIES } from './targets.js';
import { targetRunner } from './cross.js';

/**
 * Laying out a toolchain directory: build CPython, link and strip the
 * launcher, compile the stdlib, and add pip's wheel, the licences, the
 * python3 wrapper and the metadata, checking the built-in modules.
 */

export function launcherSource(): string {
  return join(packageRoot(), 'src', 'launcher', 'pybin-launcher.c');
}

/** Build CPython and lay out the toolchain directory in `out`. */
export async function assembleToolchain(
  ctx: BuildContext,
  recipe: PythonRecipe,
  source: ResolvedSource,
  libraries: BuiltLibrary[],
  keys: { recipeHash: string; buildKey: string },
  out: string,
): Promise<void> {
  const archive = await fetchSource(source, ctx.cacheDir, ctx.progress);
  const scratch = createScratch(ctx, source.id);
  try {
    const srcDir = await unpack(archive, join(scratch.dir, 'src'), join(scratch.logDir, 'unpack.log'));
    const profiled = await buildCPython(ctx, scratch, recipe, srcDir, libraries);
    const env = cpythonEnv(ctx, scratch, libraries);
    const minor = minorVersion(recipe.version);
    const launcher = join(out, 'bin', 'pybin-launcher');
    await ctx.progress.stage('link the launcher', () => linkLauncher(ctx, scratch, recipe, srcDir, libraries, env, launcher));
    const stdlib = join(out, 'lib', `python${minor}`);
    await ctx.progress.stage('compile the stdlib', async () => {
      const buildLib = join(srcDir, readFileSync(join(srcDir, 'pybuilddir.txt'), 'utf8').trim());
      scrubSysconfig(buildLib, [[scratch.dir, BUILD_PATH_ALIAS], [ctx.cacheDir, '/pybin-cache']]);
      await compileStdlib(srcDir, buildLib, env, ctx.jobs, join(scratch.logDir, 'stdlib.log'), ctx.buildPython);
      copySourcelessTree(join(srcDir, 'Lib'), stdlib);
      copySourcelessTree(buildLib, stdlib);
    });
    const pipWheel = copyPipWheel(srcDir, join(out, 'lib', 'wheels'));
    collectLicenses(srcDir, libraries, join(out, 'licenses'));
    writePythonWrapper(join(out, 'bin', 'python3'));
    const builtinModules = await checkBuiltinModules(ctx, launcher, recipe, srcDir);
    const glibcFloor = ctx.target.libc === 'glibc' ? checkSystemLibraries(launcher) : undefined;
    const metadata: ToolchainMetadata = {
      python: recipe.version,
      target: ctx.target.triple,
      ...keys,
      allocator: recipe.allocator,
      ...(profiled ? { profile: { workload: CPYTHON_PGO.workload, objects: profiled } } : {}),
      builtinModules,
      components: [
        { name: 'cpython', version: recipe.version, sha256: source.sha256, ...(source.url ? { url: source.url } : {}) },
        ...libraries.map((l) => ({ name: l.name, version: l.version, sha256: l.sha256 })),
      ],
      launcher: 'bin/pybin-launcher',
      ...(glibcFloor ? { glibcFloor } : {}),
      stdlib: `lib/python${minor}`,
      pipWheel: `lib/wheels/${pipWheel}`,
    };
    writeFileSync(join(out, METADATA_FILE), `${JSON.stringify(metadata, null, 2)}\n`);
  } finally {
    rmSync(scratch.dir, { recursive: true, force: true });
  }
}

const ALLOCATOR_MACRO: Record<Allocator, string | undefined> = {
  pymalloc: undefined,
  malloc: 'PYMEM_ALLOCATOR_MALLOC',
  mimalloc: 'PYMEM_ALLOCATOR_MIMALLOC',
};

async function linkLauncher(
  ctx: BuildContext,
  scratch: Scratch,
  recipe: PythonRecipe,
  srcDir: string,
  libraries: BuiltLibrary[],
  env: NodeJS.ProcessEnv,
  launcher: string,
): Promise<void> {
  mkdirSync(join(launcher, '..'), { recursive: true });
  const minor = minorVersion(recipe.version);
  const allocator = ALLOCATOR_MACRO[recipe.allocator];
  const logFile = join(scratch.logDir, 'launcher.log');
  await runLogged(
    [
      scratch.cc, '-O2', `-ffile-prefix-map=${scratch.dir}=${BUILD_PATH_ALIAS}`,
      `-I${srcDir}/Include`, `-I${srcDir}`,
      ...(allocator ? [`-DPYBIN_ALLOCATOR=${allocator}`] : []),
      launcherSource(), ...mallocArgs(recipe, libraries), ...libpythonArgs(ctx, scratch, join(srcDir, `libpython${minor}.a`)),
      ...(await cpythonLinkArgs(srcDir, env)),
      ...ctx.target.ldflags, ...ctx.target.launcherLdflags,
      '-o', launcher,
    ],
    { cwd: srcDir, env, logFile, label: 'link the launcher' },
  );
  await runLogged(['strip', launcher], { cwd: srcDir, env, logFile, label: 'strip the launcher' });
}

/** The malloc replacement, kept whole and ahead of libc, so that its malloc, free, ... are the ones everything calls. */
function mallocArgs(recipe: PythonRecipe, libraries: BuiltLibrary[]): string[] {
  const replacement = libraries.find((l) => l.name === recipe.mallocReplacement);
  if (!replacement) return [];
  return ['-Wl,--whole-archive', join(replacement.prefix, 'lib', `lib${replacement.name}.a`), '-Wl,--no-whole-archive'];
}

/**
 * libpython as the launcher links it. Where compiled modules are to be
 * dlopened, all of it is kept (an extension may need API the launcher never
 * calls) and its C API, only, is exported: the static libraries' symbols
 * (OpenSSL, libffi, ...) stay private, so they never take the place of a
 * wheel's own copies.
 */
function libpythonArgs(ctx: BuildContext, scratch: Scratch, archive: string): string[] {
  if (!ctx.target.exportsCApi) return [archive];
  const exported = join(scratch.dir, 'python-c-api.list');
  writeFileSync(exported, '{\n  Py*;\n  _Py*;\n};\n');
  return ['-Wl,--whole-archive', archive, '-Wl,--no-whole-archive', `-Wl,--dynamic-list=${exported}`];
}

/** sysconfig's build-time data names our scratch and cache paths: replace them with fixed ones. */
function scrubSysconfig(buildLib: string, replacements: [string, string][]): void {
  for (const file of readdirSync(buildLib).filter((f) => f.startsWith('_sysconfig') && !f.endsWith('.pyc'))) {
    let text = readFileSync(join(buildLib, file), 'utf8');
    for (const [from, to] of replacements) text = text.split(from).join(to);
    writeFileSync(join(buildLib, file), text);
  }
}

function copyPipWheel(srcDir: string, into: string): string {
  const bundled = join(srcDir, 'Lib', 'ensurepip', '_bundled');
  const wheel = readdirSync(bundled).find((f) => /^pip-.*\.whl$/.test(f));
  if (!wheel) throw new PybinError(`no pip wheel in ${bundled}`);
  mkdirSync(into, { recursive: true });
  copyFileSync(join(bundled, wheel), join(into, wheel));
  return wheel;
}

function collectLicenses(srcDir: string, libraries: BuiltLibrary[], into: string): void {
  mkdirSync(into, { recursive: true });
  for (const [name, file] of Object.entries(CPYTHON_BUNDLED_LICENSES)) {
    if (name === 'cpython' || existsSync(join(srcDir, file))) copyFileSync(join(srcDir, file), join(into, `${name}.txt`));
  }
  for (const library of libraries) {
    const dir = join(library.prefix, 'licenses');
    for (const file of readdirSync(dir)) copyFileSync(join(dir, file), join(into, file));
  }
}

/** bin/python3: the launcher (with no app appended, a plain interpreter) under the name people type. */
function writePythonWrapper(path: string): void {
  writeFileSync(path, '#!/bin/sh\nexec "$(dirname "$0")/pybin-launcher" "$@"\n');
  chmodSync(path, 0o755);
}

/**
 * A glibc launcher may need only the system libraries every manylinux system
 * has (a host library found by configure would tie it to this machine);
 * returns the glibc version it needs at least.
 */
function checkSystemLibraries(launcher: string): string {
  const info = readElfDynamic(readFileSync(launcher));
  const foreign = info.needed.filter((lib) => !MANYLINUX_SYSTEM_LIBRARIES.includes(lib));
  if (foreign.length > 0) {
    throw new PybinError(`the launcher links ${foreign.join(', ')}, which manylinux systems need not have: a host library leaked into the build (see the configure log)`);
  }
  const floor = glibcFloor(info);
  if (!floor) throw new PybinError(`the launcher ${launcher} names no GLIBC symbol version: is it really linked against glibc?`);
  return floor;
}

/**
 * Run the new launcher on its on-disk stdlib (under the target's emulator in
 * a cross build) and insist that every required module is built in. A cross
 * build with no emulator reads the built-in table the launcher was linked with.
 */
async function checkBuiltinModules(ctx: BuildContext, launcher: string, recipe: PythonRecipe, srcDir: string): Promise<string[]> {
  const script = 'import sys, json; print(json.dumps(sorted(sys.builtin_module_names)))';
  const runner = targetRunner(ctx.target);
  let modules: string[];
  if ('argv' in runner) {
    modules = JSON.parse(await capture([...runner.argv, launcher, '-c', script], { PATH: '/usr/bin:/bin' })) as string[];
  } else {
    ctx.progress.info(`the built-in modules are read from Modules/config.c, not from the running launcher: ${runner.missing}`);
    modules = inittabModules(readFileSync(join(srcDir, 'Modules', 'config.c'), 'utf8'));
  }
  const missing = recipe.requiredModules.filter((m) => !modules.includes(m));
  if (missing.length > 0) {
    throw new PybinError(`cpython-${recipe.version}: these modules were not built in: ${missing.join(', ')} (see the configure and make logs)`);
  }
  return modules;
}

/** The names in config.c's _PyImport_Inittab: sys.builtin_module_names, sorted. */
export function inittabModules(configC: string): string[] {
  const table = /_PyImport_Inittab\[\]\s*=\s*\{([\s\S]*?)\n\};/.exec(configC)?.[1] ?? '';
  return [...table.matchAll(/\{\s*"([\w.]+)"\s*,/g)].map((m) => m[1]!).sort();
}
