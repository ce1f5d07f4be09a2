import { cpus } from 'node:os';
import { join } from 'node:path';
import { PybinError } from '../plumbing/errors.js';
import type { Progress } from '../plumbing/progress.js';
import { buildOnce, ensureWritableDir } from '../plumbing/atomic-dir.js';
import { resolveCacheDir } from './cache.js';
import { detectCompiler } from './compiler.js';
import type { BuildContext } from './context.js';
import { hashOf } from '../plumbing/hash.js';
import { assembleToolchain } from './assemble.js';
import { contentProblem, recordContent } from './content.js';
import { ensureLibrary, libraryKey, type BuiltLibrary } from './library.js';
import type { Allocator, PythonRecipe } from './recipes.js';
import type { SourceOverrides } from './sources.js';
import { hostTarget, type Target } from './targets.js';
import { crossBuildFor, crossBuildKey } from './cross.js';
import { readToolchainMetadata, type ToolchainMetadata } from './metadata.js';
import { planToolchain, type ToolchainPlan } from './plan.js';

export interface ToolchainRequest {
  /** Default: the newest tested release (see defaultPython). */
  python?: PythonRecipe;
  /** Default: this machine's static musl target. */
  target?: Target;
  /** Source tarballs from elsewhere than the recipes' URLs (--sources). */
  sources?: SourceOverrides;
  cacheDir?: string;
  jobs?: number;
  /** Overrides the recipe's allocator (for bench/: the choice is made by measurement). */
  allocator?: Allocator;
  progress: Progress;
  /**
   * Cross builds: the build host's toolchain of the same CPython version
   * (default: ensured here, from the cache or built). Asked for only when a
   * cross build actually builds.
   */
  buildToolchain?: (python: PythonRecipe) => Promise<Toolchain>;
}

export type { ToolchainMetadata };

/** Where an interpreter came from: the `interpreter-source` output. */
export type ToolchainSource = 'tool-cache' | 'actions-cache' | 'fetch' | 'build';

export interface Toolchain {
  dir: string;
  /** The target it was asked for and built for (its metadata names the same triple). */
  target: Target;
  /** True when the toolchain came from a cache without building or downloading. */
  hit: boolean;
  source: ToolchainSource;
  metadata: ToolchainMetadata;
  /**
   * The build host's toolchain of the same CPython version, where this one's
   * interpreter cannot run here (another architecture): it runs the
   * build-time Python steps (pip, compileall, checks) in its place.
   */
  host?: Toolchain;
}

/** The static interpreter for this machine's target: from the cache, or built from verified sources. */
export async function ensureToolchain(request: ToolchainRequest, plan: ToolchainPlan = planToolchain(request)): Promise<Toolchain> {
  const { recipe, target, pythonSource, libraries, recipeHash } = plan;
  const cacheDir = resolveCacheDir(request.cacheDir);
  ensureWritableDir(cacheDir, 'cache dir', 'cache-dir');
  const jobs = request.jobs ?? cpus().length;
  const cross = crossBuildFor(target);
  const compiler = await detectCompiler(target, process.env, cross);
  const ctx: BuildContext = { cacheDir, target, compiler, jobs, progress: request.progress, cross };

  // The same recipe built by another compiler (or cross-built another way) is another build.
  const buildKey = hashOf({
    recipeHash,
    libraries: libraries.map((l) => libraryKey(ctx, l.recipe, l.source)),
    compiler: compiler.identity,
    ...(cross ? { cross: crossBuildKey(cross) } : {}),
  });
  const dir = join(cacheDir, 'toolchains', `cpython-${recipe.version}-${target.triple}-${buildKey.slice(0, 16)}`);
  const { hit } = await buildOnce(
    dir,
    async (out) => {
      if (cross) {
        const host = await (request.buildToolchain ?? ((python) => ensureToolchain({ ...request, python, target: hostTarget() })))(recipe);
        ctx.buildPython = join(host.dir, 'bin', 'python3');
      }
      const built: BuiltLibrary[] = [];
      for (const l of libraries) built.push(await ensureLibrary(ctx, l.recipe, l.source));
      await assembleToolchain(ctx, recipe, pythonSource, built, { recipeHash, buildKey }, out);
      recordContent(out);
    },
    { problem: (found) => contentProblem(found), redoing: (why) => request.progress.warn(`the cached toolchain ${dir} cannot be used (${why}): building it again`) },
  );
  if (hit) request.progress.info(`toolchain cache hit: ${dir}`);
  return { ...openToolchain(dir, target), hit, source: 'build' };
}

/** A toolchain dir for a target, refused when its metadata says it is for another. */
export function openToolchain(dir: string, target: Target): Pick<Toolchain, 'dir' | 'target' | 'metadata'> {
  const metadata = readToolchainMetadata(dir);
  if (metadata.target !== target.triple) {
    throw new PybinError(`toolchain ${dir} is for ${metadata.target}, not ${target.triple}: remove it and run again`);
  }
  return { dir, target, metadata };
}
