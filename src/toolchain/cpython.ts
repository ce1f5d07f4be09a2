import { appendFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../plumbing/package-root.js';
import type { BuildContext, Scratch } from './context.js';
import { buildEnv, cflags } from './context.js';
import { capture, runLogged } from '../plumbing/exec.js';
import type { BuiltLibrary } from './library.js';
import { CPYTHON_CONFIGURE_ARGS, CPYTHON_MAKE_TARGETS, CPYTHON_PATCHES, CPYTHON_PGO, STDLIB_EXCLUDES, type PythonRecipe } from './recipes.js';
import { satisfiesRequiresPython } from './versions.js';
import { buildTriple, targetRunner, writeConfigSite } from './cross.js';
import { PybinError } from '../plumbing/errors.js';
import { walkTree } from '../plumbing/tree.js';

export function minorVersion(version: string): string {
  return version.split('.').slice(0, 2).join('.');
}

/** The patch files for a CPython version, in the order the recipes list them. */
export function patchFiles(version: string): string[] {
  return CPYTHON_PATCHES.filter((p) => satisfiesRequiresPython(version, p.versions)).map((p) => join(packageRoot(), 'patches', p.file));
}

/** The training run of the profile-guided build (CPYTHON_PGO). */
export function pgoWorkload(): string {
  return join(packageRoot(), 'src', 'toolchain', CPYTHON_PGO.workload);
}

/** The build environment of CPython: static linking, and only our libraries visible. */
export function cpythonEnv(ctx: BuildContext, scratch: Scratch, libraries: BuiltLibrary[]): NodeJS.ProcessEnv {
  return buildEnv(ctx, scratch, {
    CFLAGS: cflags(ctx, scratch, ctx.target.cpythonCflags),
    CPPFLAGS: libraries.map((l) => `-I${l.prefix}/include`).join(' '),
    LDFLAGS: [...ctx.target.ldflags, ...libraries.map((l) => `-L${l.prefix}/lib`)].join(' '),
    PKG_CONFIG_LIBDIR: libraries.map((l) => `${l.prefix}/lib/pkgconfig`).join(':'),
    ...ctx.target.cpythonEnv,
  });
}

/**
 * Patch, configure and make a static CPython in srcDir (every stdlib
 * extension built in), profile-guided where the target says so; returns how
 * many objects the training run left a profile for.
 */
export async function buildCPython(
  ctx: BuildContext,
  scratch: Scratch,
  recipe: PythonRecipe,
  srcDir: string,
  libraries: BuiltLibrary[],
): Promise<number | undefined> {
  const log = (name: string) => join(scratch.logDir, `${name}.log`);
  const env = cpythonEnv(ctx, scratch, libraries);
  const run = (argv: string[], step: string) =>
    runLogged(argv, { cwd: srcDir, env, logFile: log(step), label: `cpython-${recipe.version}: ${step}` });

  for (const patch of patchFiles(recipe.version)) {
    await run(['patch', '-p1', '--forward', '--batch', '-i', patch], 'patch');
  }
  const openssl = libraries.find((l) => l.name === 'openssl');
  await ctx.progress.stage(`configure cpython-${recipe.version}`, () =>
    run(
      [
        './configure',
        ...CPYTHON_CONFIGURE_ARGS,
        ...recipe.configureArgs,
        ...(openssl ? [`--with-openssl=${openssl.prefix}`] : []),
        ...crossConfigureArgs(ctx, scratch),
      ],
      'configure',
    ),
  );
  const setupLocal = join(srcDir, 'Modules', 'Setup.local');
  if (recipe.stdlibSetup === 'setup-local') copyFileSync(join(srcDir, 'Modules', 'Setup.stdlib'), setupLocal);
  if (recipe.extraSetupLines) appendFileSync(setupLocal, `\n*static*\n${recipe.extraSetupLines.join('\n')}\n`);
  if (!ctx.target.profileGuided) {
    await ctx.progress.stage(`make cpython-${recipe.version}`, () => run(['make', `-j${ctx.jobs}`, ...CPYTHON_MAKE_TARGETS], 'make'));
    return undefined;
  }
  const make = (step: string, flags: string[]) =>
    run(['make', `-j${ctx.jobs}`, ...CPYTHON_MAKE_TARGETS, `CFLAGS_NODIST=${flags.join(' ')}`, `LDFLAGS_NODIST=${flags.join(' ')}`], step);
  await ctx.progress.stage(`make cpython-${recipe.version} (instrumented)`, () => make('make-instrumented', CPYTHON_PGO.generate));
  await ctx.progress.stage(`profile cpython-${recipe.version}`, () => runPgoWorkload(ctx, scratch, srcDir, env));
  const profiled = walkTree(srcDir).filter((e) => e.name.endsWith('.gcda')).length;
  // A run that wrote no profile (libgcov could not write, say) would silently give an unoptimised build.
  if (profiled === 0) throw new PybinError(`cpython-${recipe.version}: the profile-guided build's training run left no profile (see ${log('pgo-workload')})`);
  await run(['make', 'clean-retain-profile'], 'clean-retain-profile');
  await ctx.progress.stage(`make cpython-${recipe.version}`, () => make('make', CPYTHON_PGO.use));
  return profiled;
}

/**
 * The instrumented interpreter runs the workload from its build tree (on the
 * target's emulator in a cross build), leaving its profile beside the objects.
 * A fixed hash seed: the same work, so the same profile, at every build.
 */
async function runPgoWorkload(ctx: BuildContext, scratch: Scratch, srcDir: string, env: NodeJS.ProcessEnv): Promise<void> {
  const runner = targetRunner(ctx.target);
  if (!('argv' in runner)) {
    throw new PybinError(`cannot run the ${ctx.target.triple} interpreter for its profile-guided build: ${runner.missing}`, 'target');
  }
  await runLogged(
    [...runner.argv, './python', '-S', '-s', '-X', `pycache_prefix=${join(scratch.dir, 'pgo-pycache')}`, pgoWorkload()],
    { cwd: srcDir, env: { ...env, PYTHONHASHSEED: '0' }, logFile: join(scratch.logDir, 'pgo-workload.log'), label: 'the profile-guided build\'s workload' },
  );
}

/**
 * A cross build names the target, runs the build host's Python of the same
 * version wherever the build runs Python, and answers what configure cannot
 * test without running target programs.
 */
function crossConfigureArgs(ctx: BuildContext, scratch: Scratch): string[] {
  if (!ctx.cross) return [];
  if (!ctx.buildPython) throw new Error('a cross build of CPython needs the build host\'s Python');
  const site = writeConfigSite(join(scratch.dir, 'config.site'), ctx.cross);
  return [`--host=${ctx.cross.configureHost}`, `--build=${buildTriple()}`, `--with-build-python=${ctx.buildPython}`, `CONFIG_SITE=${site}`];
}

/** The linker arguments CPython's Makefile used for its own static python binary. */
export async function cpythonLinkArgs(srcDir: string, env: NodeJS.ProcessEnv): Promise<string[]> {
  const out = await capture(
    [
      'make', '-s', '--no-print-directory', '-C', srcDir,
      '--eval', 'pybin-link-args: ; @echo $(PY_LDFLAGS) $(PY_LDFLAGS_NODIST) $(LIBS) $(MODLIBS) $(SYSLIBS)',
      'pybin-link-args',
    ],
    env,
  );
  return out.trim().split(/\s+/).filter(Boolean);
}

/** The script that compiles the stdlib (docstrings dropped), in src/toolchain/. */
export function stdlibCompiler(): string {
  return join(packageRoot(), 'src', 'toolchain', 'compile-stdlib.py');
}

/**
 * Compile Lib/ and the build's generated modules to unchecked-hash .pyc beside their sources,
 * without docstrings or instruction columns (compile-stdlib.py), with the new ./python, or (cross builds) the build
 * host's of the same version: the same bytes.
 */
export async function compileStdlib(srcDir: string, buildLib: string, env: NodeJS.ProcessEnv, jobs: number, logFile: string, python = './python') {
  // Excluded directories are not compiled (copySourcelessTree drops the rest).
  const exclude = `/Lib/(${STDLIB_EXCLUDES.filter((p) => p.endsWith('/')).join('|')})`;
  await runLogged([python, '-E', '-S', '-X', 'no_debug_ranges', stdlibCompiler(), String(jobs), exclude, join(srcDir, 'Lib'), buildLib], {
    cwd: srcDir,
    env,
    logFile,
    label: 'compile the stdlib',
  });
}
