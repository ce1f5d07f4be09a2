import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PybinError } from '../plumbing/errors.js';
import type { BuildContext } from './context.js';
import { buildEnv, cflags, createScratch } from './context.js';
import { runLogged } from '../plumbing/exec.js';
import { hashOf } from '../plumbing/hash.js';
import type { LibraryRecipe } from './recipes.js';
import { buildOnce } from '../plumbing/atomic-dir.js';
import type { ResolvedSource } from './sources.js';
import { fetchSource, unpack } from './sources.js';

/** A static library installed in its own prefix: include/, lib/, licenses/. */
export interface BuiltLibrary {
  name: string;
  version: string;
  sha256: string;
  prefix: string;
  key: string;
}

/** Bump when the build code (not the recipes) changes what a library build produces. */
const LIBRARY_SCHEMA = 2;

export function libraryKey(ctx: BuildContext, recipe: LibraryRecipe, source: ResolvedSource): string {
  return hashOf({
    schema: LIBRARY_SCHEMA,
    recipe: { ...recipe, url: undefined, sha256: source.sha256 },
    // CPython's own build environment does not change a library.
    target: { ...ctx.target, cpythonEnv: undefined },
    compiler: ctx.compiler.identity,
  });
}

export function libraryPrefix(ctx: BuildContext, recipe: LibraryRecipe, key: string): string {
  return join(ctx.cacheDir, 'libs', ctx.target.triple, `${recipe.name}-${recipe.version}-${key.slice(0, 16)}`);
}

/** Build (or reuse from the cache) one static library. */
export async function ensureLibrary(
  ctx: BuildContext,
  recipe: LibraryRecipe,
  source: ResolvedSource,
): Promise<BuiltLibrary> {
  const key = libraryKey(ctx, recipe, source);
  const prefix = libraryPrefix(ctx, recipe, key);
  const built = { name: recipe.name, version: recipe.version, sha256: source.sha256, prefix, key };
  await buildOnce(prefix, async (out) => {
    const archive = await fetchSource(source, ctx.cacheDir, ctx.progress);
    await ctx.progress.stage(`build ${source.id}`, async () => {
      const scratch = createScratch(ctx, source.id);
      try {
        const log = join(scratch.logDir, 'build.log');
        const srcDir = await unpack(archive, join(scratch.dir, 'src'), log);
        const env = buildEnv(ctx, scratch);
        for (const step of recipe.steps) {
          const argv = step.map((arg) => substitute(arg, { prefix: out, jobs: String(ctx.jobs), opensslTarget: ctx.target.opensslTarget, cflags: cflags(ctx, scratch) }));
          await runLogged(argv, { cwd: srcDir, env, logFile: log, label: `${source.id}: ${step[0]}` });
        }
        copyLicenses(recipe, srcDir, join(out, 'licenses'));
        relocate(out, prefix);
      } finally {
        rmSync(scratch.dir, { recursive: true, force: true });
      }
    });
  });
  return built;
}

/** pkg-config and libtool files name the prefix they were installed to: point them at the final one. */
function relocate(from: string, to: string): void {
  const dirs = [join(from, 'lib'), join(from, 'lib', 'pkgconfig')].filter((d) => existsSync(d));
  for (const dir of dirs) {
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.pc') || f.endsWith('.la'))) {
      const path = join(dir, file);
      writeFileSync(path, readFileSync(path, 'utf8').split(from).join(to));
    }
  }
}

export function substitute(arg: string, values: Record<string, string>): string {
  return arg.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
}

function copyLicenses(recipe: LibraryRecipe, srcDir: string, into: string): void {
  mkdirSync(into, { recursive: true });
  const found = recipe.licenseFiles.filter((file) => existsSync(join(srcDir, file)));
  found.forEach((file, i) =>
    copyFileSync(join(srcDir, file), join(into, `${recipe.name}${i ? `-${file.replace(/\W+/g, '_')}` : ''}.txt`)),
  );
  if (found.length === 0) {
    if (!recipe.licenseFallback) {
      throw new PybinError(`${recipe.name} ${recipe.version}: none of its license files (${recipe.licenseFiles.join(', ')}) was found`);
    }
    writeFileSync(join(into, `${recipe.name}.txt`), recipe.licenseFallback);
  }
}
