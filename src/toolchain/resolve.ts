import { join } from 'node:path';
import { PybinError, errorMessage } from '../plumbing/errors.js';
import type { Progress } from '../plumbing/progress.js';
import { resolveCacheDir } from './cache.js';
import { downloadToolchain, fetchManifest } from './fetch-toolchain.js';
import { contentProblem } from './content.js';
import { describeIdentity, findManifestEntry, readIdentity, sameIdentity, type ToolchainIdentity } from './manifest.js';
import { pinFor } from './pins.js';
import { planToolchain, type ToolchainPlan } from './plan.js';
import { ensureToolchain, openToolchain, type Toolchain, type ToolchainRequest, type ToolchainSource } from './toolchain.js';
import { untestedWarning } from './versions.js';

export const INTERPRETER_MODES = ['auto', 'fetch', 'build'] as const;
export type InterpreterMode = (typeof INTERPRETER_MODES)[number];

/**
 * A cache lent by where pybin runs (a GitHub runner's tool cache and Actions
 * cache, see src/runner/), asked before anything is fetched or built.
 */
export interface InterpreterCache {
  /** The dir of this plan's toolchain, restored, and which cache had it; undefined when none has. */
  restore(plan: ToolchainPlan, progress: Progress): Promise<{ dir: string; source: ToolchainSource } | undefined>;
  /** Keep a fetched or built toolchain for later jobs; returns the dir to use from now on. */
  save(plan: ToolchainPlan, dir: string, progress: Progress): Promise<string>;
}

export interface ResolveRequest extends ToolchainRequest {
  mode: InterpreterMode;
  /** Manifest of prebuilt toolchains; none: skip fetching. */
  manifestUrl?: string;
  /** The manifest is the Action's default one: only toolchains this release pins are taken from it. */
  pinnedOnly?: boolean;
  /** The runner's caches; none outside Actions. */
  cache?: InterpreterCache;
}

/**
 * The interpreter for this request, taking the cheapest path that has it:
 * the runner's caches, then a prebuilt toolchain from the manifest, then a
 * build from source (itself cached by content). What was fetched or built
 * goes back into the runner's caches for the next job.
 */
export async function resolveInterpreter(request: ResolveRequest): Promise<Toolchain> {
  const plan = planToolchain(request);
  const { progress, cache } = request;
  const untested = untestedWarning(plan.recipe);
  if (untested) progress.warn(untested);

  const restored = await cache?.restore(plan, progress);
  if (restored) {
    // Whoever can write the runner's caches (other jobs, other workflows) could have put anything there.
    const problem = contentProblem(restored.dir, pinFor(identityOf(plan))?.content) ?? wrongToolchain(restored.dir, plan);
    if (!problem) return { ...openToolchain(restored.dir, plan.target), hit: true, source: restored.source };
    progress.warn(`the ${restored.source} holds a toolchain for CPython ${plan.recipe.version} on ${plan.target.triple} that cannot be used (${problem}); going on without it`);
  }

  let toolchain = request.mode === 'build' ? undefined : await fetchPrebuilt(plan, request);
  toolchain ??= await ensureToolchain(request, plan);
  if (cache) toolchain = { ...toolchain, dir: await cache.save(plan, toolchain.dir, progress) };
  progress.info(`interpreter: CPython ${plan.recipe.version} for ${plan.target.triple} (${toolchain.source})`);
  return toolchain;
}

/** Why a toolchain dir is not the one this plan asks for (another target, version or recipe), if it is not. */
function wrongToolchain(dir: string, plan: ToolchainPlan): string | undefined {
  try {
    const actual = readIdentity(dir, `toolchain ${dir}`);
    return sameIdentity(actual, identityOf(plan)) ? undefined : `it is ${describeIdentity(actual)}`;
  } catch (error) {
    return errorMessage(error);
  }
}

function identityOf(plan: ToolchainPlan): ToolchainIdentity {
  return { python: plan.recipe.version, target: plan.target.triple, recipeHash: plan.recipeHash };
}

/** A prebuilt toolchain for exactly this recipe, or undefined in `auto` mode when there is none. */
async function fetchPrebuilt(plan: ToolchainPlan, request: ResolveRequest): Promise<Toolchain | undefined> {
  const { progress } = request;
  const fail = (message: string): undefined => {
    if (request.mode === 'fetch') throw new PybinError(message, 'interpreter');
    progress.warn(`${message}; building from source instead`);
    return undefined;
  };
  if (!request.manifestUrl) {
    // Outside the published Action there is no default manifest: building is the plan, not a fallback.
    if (request.mode === 'auto') return undefined;
    return fail('no manifest-url to fetch a prebuilt interpreter from');
  }
  try {
    const wanted = identityOf(plan);
    if (request.pinnedOnly && !pinFor(wanted)) {
      const why =
        `this release of pybin pins no prebuilt toolchain for CPython ${wanted.python} on ${wanted.target} (recipe ${wanted.recipeHash.slice(0, 16)}), ` +
        'so it takes none from its default manifest';
      if (request.mode === 'auto') return void progress.info(`${why}: building one`);
      return fail(
        `this release of pybin pins no prebuilt toolchain for CPython ${wanted.python} on ${wanted.target} (recipe ${wanted.recipeHash.slice(0, 16)}), ` +
          'so it takes none from its default manifest; give manifest-url to use a manifest you trust',
      );
    }
    const entries = await fetchManifest(request.manifestUrl, progress);
    const entry = findManifestEntry(entries, wanted);
    if (!entry) {
      return fail(`the manifest ${request.manifestUrl} has no toolchain for CPython ${wanted.python} on ${wanted.target} with recipe ${wanted.recipeHash.slice(0, 16)}`);
    }
    const dir = join(resolveCacheDir(request.cacheDir), 'toolchains', `fetched-cpython-${wanted.python}-${wanted.target}-${wanted.recipeHash.slice(0, 16)}`);
    const hit = await downloadToolchain(entry, dir, progress);
    return { ...openToolchain(dir, plan.target), hit, source: 'fetch' };
  } catch (error) {
    if (request.mode === 'fetch') throw error;
    return fail(`fetching a prebuilt interpreter failed: ${errorMessage(error)}`);
  }
}
