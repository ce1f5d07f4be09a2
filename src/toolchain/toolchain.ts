import { cpus } from 'node:os';
import { join } from 'node:path';
import { PybinError } from '../plumbing/errors.js';
import type { Progress } from '../plumbing/progress.js';
import { buildOnce, ensureWritableDir } from '../plumbing/atomic-dir.js';
import { resolveCacheDir } from './cache.js';
import { detectCompiler } from './compiler.js';
import type { BuildContext } from './context.js';
import { hashOf } from '../plumbing/hash.js';
import { layOutToolchain } from './layout.js';
import { ensureLibrary, libraryKey, type BuiltLibrary } from './library.js';
import type { Allocator } from './recipes.js';
import { hostTarget, type Target } from './targets.js';
import { crossBuildFor, crossBuildKey } from './cross.js';
import { readToolchainMetadata, type ToolchainMetadata } from './metadata.js';
import { planToolchain, type ToolchainPlan } from './plan.js';

export interface ToolchainRequest {
  python?: string;
  /** Default: this machine's static musl target. */
  target?: Target;
  sourcesFile?: string;
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
  buildToolchain?: (version: string) => Promise<Toolchain>;
}

export type { ToolchainMetadata };

export interface Toolchain {
  dir: string;
  /** True when the toolchain came from the cache without building. */
  hit: boolean;
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
  if (!Number.isInteger(jobs) || jobs < 1) throw new PybinError(`--jobs must be a whole number ≥ 1, got ${jobs}`, 'jobs');
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
  const { hit } = await buildOnce(dir, async (out) => {
    if (cross) {
      const host = await (request.buildToolchain ?? ((version) => ensureToolchain({ ...request, python: version, target: hostTarget() })))(recipe.version);
      ctx.buildPython = join(host.dir, 'bin', 'python3');
    }
    const built: BuiltLibrary[] = [];
    for (const l of libraries) built.push(await ensureLibrary(ctx, l.recipe, l.source));
    await layOutToolchain(ctx, recipe, pythonSource, built, { recipeHash, buildKey }, out);
  });
  if (hit) request.progress.info(`toolchain cache hit: ${dir}`);
  return { dir, hit, metadata: readToolchainMetadata(dir) };
}
