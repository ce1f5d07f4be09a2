import * as actionsCache from '@actions/cache';
import * as toolCache from '@actions/tool-cache';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PybinError, errorMessage } from '../plumbing/errors.js';
import { resolveCacheDir } from './cache.js';
import { downloadToolchain, fetchManifest } from './fetch-toolchain.js';
import { findManifestEntry } from './manifest.js';
import { readToolchainMetadata } from './metadata.js';
import { planToolchain, type ToolchainPlan } from './plan.js';
import { ensureToolchain, type Toolchain, type ToolchainRequest } from './toolchain.js';
import { PRERELEASE, untestedWarning } from './versions.js';

export const INTERPRETER_MODES = ['auto', 'fetch', 'build'] as const;
export type InterpreterMode = (typeof INTERPRETER_MODES)[number];

/** Where the interpreter came from: the `interpreter-source` output. */
export type InterpreterSource = 'tool-cache' | 'actions-cache' | 'fetch' | 'build';

export interface ResolveRequest extends ToolchainRequest {
  mode: InterpreterMode;
  /** Manifest of prebuilt toolchains; none: skip fetching. */
  manifestUrl?: string;
  /** Save and restore through @actions/cache (only where the runner offers it). */
  cache: boolean;
  /** The runner's tool cache ($RUNNER_TOOL_CACHE); none outside Actions. */
  toolCacheDir?: string;
}

export interface ResolvedInterpreter {
  toolchain: Toolchain;
  source: InterpreterSource;
}

/**
 * The interpreter for this request, taking the cheapest path that has it:
 * the runner's tool cache, then @actions/cache, then a prebuilt toolchain from
 * the manifest, then a build from source (itself cached by content). What was
 * fetched or built goes back into both caches for the next job.
 */
export async function resolveInterpreter(request: ResolveRequest): Promise<ResolvedInterpreter> {
  const plan = planToolchain(request);
  const { progress } = request;
  const untested = untestedWarning(plan.recipe);
  if (untested) progress.warn(untested);
  const slot = request.toolCacheDir ? toolCacheSlot(plan) : undefined;

  if (slot) {
    const found = toolCache.find(slot.tool, slot.version, slot.arch);
    if (found) return { toolchain: loaded(found), source: 'tool-cache' };
    if (request.cache && (await restoreFromActionsCache(plan, slot, request))) {
      return { toolchain: loaded(slot.path(request.toolCacheDir!)), source: 'actions-cache' };
    }
  }

  let resolved: ResolvedInterpreter | undefined;
  if (request.mode !== 'build') resolved = await fetchPrebuilt(plan, request);
  resolved ??= { toolchain: await ensureToolchain(request, plan), source: 'build' };

  if (slot) {
    const dir = await toolCache.cacheDir(resolved.toolchain.dir, slot.tool, slot.version, slot.arch);
    resolved = { ...resolved, toolchain: { ...resolved.toolchain, dir } };
    if (request.cache) await saveToActionsCache(plan, slot, request);
  }
  progress.info(`interpreter: CPython ${plan.recipe.version} for ${plan.target.triple} (${resolved.source})`);
  return resolved;
}

function loaded(dir: string): Toolchain {
  return { dir, hit: true, metadata: readToolchainMetadata(dir) };
}

/** The tool-cache coordinates of a toolchain: the recipe hash is in the tool name, so another recipe never matches. */
interface ToolCacheSlot {
  tool: string;
  version: string;
  arch: string;
  path(toolCacheDir: string): string;
}

function toolCacheSlot(plan: ToolchainPlan): ToolCacheSlot {
  const tool = `pybin-cpython-${plan.recipeHash.slice(0, 16)}`;
  // The tool cache wants semver: 3.15.0rc2 becomes 3.15.0-rc.2.
  const version = plan.recipe.version.replace(PRERELEASE, '-$1.$2');
  const arch = plan.target.arch;
  return { tool, version, arch, path: (root) => join(root, tool, version, arch) };
}

function actionsCacheKey(plan: ToolchainPlan): string {
  return `pybin-cpython-${plan.recipe.version}-${plan.target.os}-${plan.target.arch}-${plan.target.libc}-${plan.recipeHash}`;
}

/** Cache-service trouble is never fatal: the worst case is a rebuild. */
async function restoreFromActionsCache(plan: ToolchainPlan, slot: ToolCacheSlot, request: ResolveRequest): Promise<boolean> {
  if (!actionsCache.isFeatureAvailable()) return false;
  const path = slot.path(request.toolCacheDir!);
  try {
    const key = await actionsCache.restoreCache([path], actionsCacheKey(plan));
    if (!key || !existsSync(join(path, 'pybin-toolchain.json'))) return false;
    writeFileSync(`${path}.complete`, ''); // what tool-cache's find() looks for
    return true;
  } catch (error) {
    request.progress.warn(`restoring the interpreter from the Actions cache failed, going on without it: ${errorMessage(error)}`);
    return false;
  }
}

async function saveToActionsCache(plan: ToolchainPlan, slot: ToolCacheSlot, request: ResolveRequest): Promise<void> {
  if (!actionsCache.isFeatureAvailable()) return;
  try {
    await actionsCache.saveCache([slot.path(request.toolCacheDir!)], actionsCacheKey(plan));
  } catch (error) {
    request.progress.warn(`saving the interpreter to the Actions cache failed (the next job rebuilds it): ${errorMessage(error)}`);
  }
}

/** A prebuilt toolchain for exactly this recipe, or undefined in `auto` mode when there is none. */
async function fetchPrebuilt(plan: ToolchainPlan, request: ResolveRequest): Promise<ResolvedInterpreter | undefined> {
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
    const entries = await fetchManifest(request.manifestUrl, progress);
    const wanted = { python: plan.recipe.version, target: plan.target.triple, recipeHash: plan.recipeHash };
    const entry = findManifestEntry(entries, wanted);
    if (!entry) {
      return fail(`the manifest ${request.manifestUrl} has no toolchain for CPython ${wanted.python} on ${wanted.target} with recipe ${wanted.recipeHash.slice(0, 16)}`);
    }
    const dir = join(resolveCacheDir(request.cacheDir), 'toolchains', `fetched-cpython-${wanted.python}-${wanted.target}-${wanted.recipeHash.slice(0, 16)}`);
    const hit = await downloadToolchain(entry, dir, progress);
    return { toolchain: { ...loaded(dir), hit }, source: 'fetch' };
  } catch (error) {
    if (request.mode === 'fetch') throw error;
    return fail(`fetching a prebuilt interpreter failed: ${errorMessage(error)}`);
  }
}
