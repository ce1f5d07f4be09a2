import { appendFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../plumbing/package-root.js';
import type { BuildContext, Scratch } from './context.js';
import { buildEnv } from './context.js';
import { capture, runLogged } from '../plumbing/exec.js';
import type { BuiltLibrary } from './library.js';
import { CPYTHON_CONFIGURE_ARGS, CPYTHON_MAKE_TARGETS, CPYTHON_PATCHES, STDLIB_EXCLUDES, type PythonRecipe } from './recipes.js';
import { satisfiesRequiresPython } from './versions.js';
import { buildTriple, writeConfigSite } from './cross.js';

export function minorVersion(version: string): string {
  return version.split('.').slice(0, 2).join('.');
}

/** The patch files for a CPython version, in the order the recipes list them. */
export function patchFiles(version: string): string[] {
  return CPYTHON_PATCHES.filter((p) => satisfiesRequiresPython(version, p.versions)).map((p) => join(packageRoot(), 'patches', p.file));
}

/** The build environment of CPython: static linking, and only our libraries visible. */
export function cpythonEnv(ctx: BuildContext, scratch: Scratch, libraries: BuiltLibrary[]): NodeJS.ProcessEnv {
  return buildEnv(ctx, scratch, {
    CPPFLAGS: libraries.map((l) => `-I${l.prefix}/include`).join(' '),
    LDFLAGS: [...ctx.target.ldflags, ...libraries.map((l) => `-L${l.prefix}/lib`)].join(' '),
    PKG_CONFIG_LIBDIR: libraries.map((l) => `${l.prefix}/lib/pkgconfig`).join(':'),
    ...ctx.target.cpythonEnv,
  });
}

/** Patch, configure and make a static CPython in srcDir (every stdlib extension built in). */
export async function buildCPython(
  ctx: BuildContext,
  scratch: Scratch,
  recipe: PythonRecipe,
  srcDir: string,
  libraries: BuiltLibrary[],
): Promise<void> {
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
  await ctx.progress.stage(`make cpython-${recipe.version}`, () => run(['make', `-j${ctx.jobs}`, ...CPYTHON_MAKE_TARGETS], 'make'));
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

/**
 * Compile Lib/ and the build's generated modules to unchecked-hash .pyc beside their sources (-b),
 * with the new ./python, or (cross builds) the build host's of the same version: the same bytes.
 */
export async function compileStdlib(srcDir: string, buildLib: string, env: NodeJS.ProcessEnv, jobs: number, logFile: string, python = './python') {
  // Excluded directories are not compiled (copySourcelessTree drops the rest).
  const exclude = `/Lib/(${STDLIB_EXCLUDES.filter((p) => p.endsWith('/')).join('|')})`;
  for (const dir of [join(srcDir, 'Lib'), buildLib]) {
    await runLogged(
      [
        python, '-E', '-S', '-m', 'compileall', '-q', '-b', `-j${jobs}`,
        '--invalidation-mode', 'unchecked-hash', '-s', dir, '-x', exclude, dir,
      ],
      { cwd: srcDir, env, logFile, label: 'compile the stdlib' },
    );
  }
}
