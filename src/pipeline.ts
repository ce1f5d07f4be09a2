import { bundleApp, planBundle, type BundleResult } from './bundle/bundle.js';
import type { Options } from './options.js';
import type { Progress } from './plumbing/progress.js';
import { resolveInterpreter, type InterpreterSource } from './toolchain/resolve.js';
import { isNative } from './toolchain/cross.js';
import { hostTarget, type Target } from './toolchain/targets.js';
import type { Toolchain } from './toolchain/toolchain.js';

export interface PipelineResult {
  bundle: BundleResult;
  /** Where the interpreter of the binary came from. */
  interpreter: InterpreterSource;
}

/** Where the runner keeps things; absent outside GitHub Actions. */
export interface RunnerDirs {
  toolCacheDir?: string;
}

/**
 * Options -> checked plan -> binary, what the CLI and the Action both run.
 * The interpreter is resolved for each target the build settles on (with
 * --target auto, a second one when a dependency needs compiled modules).
 */
export async function runPipeline(options: Options, progress: Progress, runner: RunnerDirs = {}): Promise<PipelineResult> {
  const plan = planBundle(options.bundle);
  let interpreter: InterpreterSource = 'build';
  const resolve = (target: Target, python: string | undefined, buildToolchain?: (version: string) => Promise<Toolchain>) =>
    resolveInterpreter({
      python,
      target,
      sourcesFile: options.bundle.sourcesFile,
      cacheDir: options.bundle.cacheDir,
      jobs: options.bundle.jobs,
      ...options.interpreter,
      toolCacheDir: runner.toolCacheDir,
      progress,
      buildToolchain,
    });
  const toolchainFor = async (target: Target): Promise<Toolchain> => {
    if (isNative(target)) {
      const resolved = await resolve(target, plan.python);
      interpreter = resolved.source;
      return resolved.toolchain;
    }
    // Another architecture: the build host's toolchain of the same version builds it (if it is built) and runs the build's Python steps.
    let hostToolchain: Promise<Toolchain> | undefined;
    const hostFor = (version: string) => (hostToolchain ??= resolve(hostTarget(), version).then((r) => r.toolchain));
    const resolved = await resolve(target, plan.python, hostFor);
    interpreter = resolved.source;
    const host = await hostFor(resolved.toolchain.metadata.python);
    progress.info(`${target.triple} cannot run here: the ${host.metadata.target} interpreter runs the build's Python steps`);
    return { ...resolved.toolchain, host };
  };
  const bundle = await bundleApp(plan, toolchainFor, progress);
  return { bundle, interpreter };
}
