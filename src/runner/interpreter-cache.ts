import * as actionsCache from '@actions/cache';
import * as toolCache from '@actions/tool-cache';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { errorMessage } from '../plumbing/errors.js';
import type { Progress } from '../plumbing/progress.js';
import { METADATA_FILE } from '../toolchain/metadata.js';
import type { ToolchainPlan } from '../toolchain/plan.js';
import type { InterpreterCache } from '../toolchain/resolve.js';
import { PRERELEASE } from '../toolchain/versions.js';

/**
 * Events whose runs execute code from outside the repository (a fork's pull
 * request, an artifact of another run) with the base repository's cache
 * scope: an entry they save is restored by every later build of the default
 * branch, so they save none.
 */
const UNTRUSTED_EVENTS = ['pull_request_target', 'workflow_run'];

/** Whether a run of this event may save to the Actions cache, and if not, the line that says why. */
export function mayWriteActionsCache(eventName: string): { allowed: true } | { allowed: false; why: string } {
  if (!UNTRUSTED_EVENTS.includes(eventName)) return { allowed: true };
  return {
    allowed: false,
    why: `a ${eventName} run may execute code from outside the repository, and what it saves to the Actions cache every later build restores: the interpreter is not saved there`,
  };
}

/**
 * The runner's caches of interpreters: its tool cache ($RUNNER_TOOL_CACHE,
 * which does not outlive the job on GitHub-hosted runners), backed by the
 * Actions cache (which does) when `useActionsCache` is set, and saved to it
 * only when `mayWrite` is. Cache-service trouble is never fatal:
 * the worst case is a rebuild. What either cache gives back is checked by
 * the caller (toolchain/resolve.ts) before it is used.
 */
export function runnerInterpreterCache(toolCacheDir: string, useActionsCache: boolean, mayWrite: boolean): InterpreterCache {
  const actions = useActionsCache && actionsCache.isFeatureAvailable();
  return {
    async restore(plan, progress) {
      const slot = toolCacheSlot(plan);
      const found = toolCache.find(slot.tool, slot.version, slot.arch);
      if (found) return { dir: found, source: 'tool-cache' };
      if (actions && (await restoreFromActionsCache(plan, slot.path(toolCacheDir), progress))) {
        return { dir: slot.path(toolCacheDir), source: 'actions-cache' };
      }
      return undefined;
    },
    async save(plan, dir, progress) {
      const slot = toolCacheSlot(plan);
      const cached = await toolCache.cacheDir(dir, slot.tool, slot.version, slot.arch);
      if (actions && mayWrite) await saveToActionsCache(plan, slot.path(toolCacheDir), progress);
      return cached;
    },
  };
}

/** The tool-cache coordinates of a toolchain: the recipe hash is in the tool name, so another recipe never matches. */
function toolCacheSlot(plan: ToolchainPlan) {
  const tool = `pybin-cpython-${plan.recipeHash.slice(0, 16)}`;
  // The tool cache wants semver: 3.15.0rc2 becomes 3.15.0-rc.2.
  const version = plan.recipe.version.replace(PRERELEASE, '-$1.$2');
  const arch = plan.target.arch;
  return { tool, version, arch, path: (root: string) => join(root, tool, version, arch) };
}

function actionsCacheKey(plan: ToolchainPlan): string {
  return `pybin-cpython-${plan.recipe.version}-${plan.target.os}-${plan.target.arch}-${plan.target.libc}-${plan.recipeHash}`;
}

async function restoreFromActionsCache(plan: ToolchainPlan, path: string, progress: Progress): Promise<boolean> {
  try {
    const key = await actionsCache.restoreCache([path], actionsCacheKey(plan));
    if (!key || !existsSync(join(path, METADATA_FILE))) return false;
    writeFileSync(`${path}.complete`, ''); // what tool-cache's find() looks for
    return true;
  } catch (error) {
    progress.warn(`restoring the interpreter from the Actions cache failed, going on without it: ${errorMessage(error)}`);
    return false;
  }
}

async function saveToActionsCache(plan: ToolchainPlan, path: string, progress: Progress): Promise<void> {
  try {
    await actionsCache.saveCache([path], actionsCacheKey(plan));
  } catch (error) {
    progress.warn(`saving the interpreter to the Actions cache failed (the next job rebuilds it): ${errorMessage(error)}`);
  }
}
