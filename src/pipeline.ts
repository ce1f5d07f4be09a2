import { bundleApp, type BundleResult } from './bundle/bundle.js';
import { planBundle } from './bundle/plan.js';
import { possibleTargets } from './bundle/target.js';
import type { Options } from './options/options.js';
import type { Progress } from './plumbing/progress.js';
import { isNative } from './toolchain/cross.js';
import type { PythonRecipe } from './toolchain/recipes.js';
import { resolveInterpreter, type InterpreterCache } from './toolchain/resolve.js';
import { hostTarget, type Target } from './toolchain/targets.js';
import type { Toolchain } from './toolchain/toolchain.js';

/** What the face running the pipeline lends it: the CLI only progress, the Action also its runner's services. */
export interface PipelineServices {
  progress: Progress;
  /** The runner's caches of interpreters. */
  interpreterCache?: InterpreterCache;
  /** Makes this machine ready to build these targets, once every input is checked (the Action installs build tools). */
  prepareHost?: (targets: Target[], buildsInterpreters: boolean) => Promise<void>;
}

/**
 * Options -> checked plan -> (host ready) -> binary, what the CLI and the
 * Action both run. The interpreter is resolved for each target the build
 * settles on (with --target auto, a second one when a dependency needs
 * compiled modules).
 */
export async function runPipeline(options: Options, services: PipelineServices): Promise<BundleResult> {
  const plan = planBundle(options.bundle);
  await services.prepareHost?.(possibleTargets(options.bundle.target), options.interpreter.mode !== 'fetch');
  const { progress } = services;
  const resolve = (target: Target, python: PythonRecipe, buildToolchain?: (python: PythonRecipe) => Promise<Toolchain>) =>
    resolveInterpreter({
      python,
      target,
      sources: options.bundle.sources,
      cacheDir: options.bundle.cacheDir,
      jobs: options.bundle.jobs,
      mode: options.interpreter.mode,
      manifestUrl: options.interpreter.manifestUrl,
      pinnedOnly: options.interpreter.pinnedOnly,
      cache: services.interpreterCache,
      progress,
      buildToolchain,
    });
  const toolchainFor = async (target: Target): Promise<Toolchain> => {
    if (isNative(target)) return resolve(target, plan.python);
    // Another architecture: the build host's toolchain of the same version builds it (if it is built) and runs the build's Python steps.
    let hostToolchain: Promise<Toolchain> | undefined;
    const hostFor = (python: PythonRecipe) => (hostToolchain ??= resolve(hostTarget(), python));
    const toolchain = await resolve(target, plan.python, hostFor);
    const host = await hostFor(plan.python);
    progress.info(`${target.triple} cannot run here: the ${host.target.triple} interpreter runs the build's Python steps`);
    return { ...toolchain, host };
  };
  return bundleApp(plan, toolchainFor, progress);
}
