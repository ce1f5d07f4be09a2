import { bundleApp, planBundle, type BundleResult } from './bundle/bundle.js';
import type { Options } from './options.js';
import type { Progress } from './plumbing/progress.js';
import { resolveInterpreter, type InterpreterSource } from './toolchain/resolve.js';
import type { Target } from './toolchain/targets.js';

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
  const toolchainFor = async (target: Target) => {
    const resolved = await resolveInterpreter({
      python: plan.python,
      target,
      sourcesFile: options.bundle.sourcesFile,
      cacheDir: options.bundle.cacheDir,
      jobs: options.bundle.jobs,
      ...options.interpreter,
      toolCacheDir: runner.toolCacheDir,
      progress,
    });
    interpreter = resolved.source;
    return resolved.toolchain;
  };
  const bundle = await bundleApp(plan, toolchainFor, progress);
  return { bundle, interpreter };
}
