import { bundleApp, planBundle, type BundleResult } from './bundle/bundle.js';
import type { Options } from './options.js';
import type { Progress } from './plumbing/progress.js';
import { resolveInterpreter, type InterpreterSource } from './toolchain/resolve.js';

export interface PipelineResult {
  bundle: BundleResult;
  interpreter: InterpreterSource;
}

/** Where the runner keeps things; absent outside GitHub Actions. */
export interface RunnerDirs {
  toolCacheDir?: string;
}

/** Options -> checked plan -> interpreter -> binary: what the CLI and the Action both run. */
export async function runPipeline(options: Options, progress: Progress, runner: RunnerDirs = {}): Promise<PipelineResult> {
  const plan = planBundle(options.bundle);
  const { toolchain, source } = await resolveInterpreter({
    python: plan.python,
    sourcesFile: options.bundle.sourcesFile,
    cacheDir: options.bundle.cacheDir,
    jobs: options.bundle.jobs,
    ...options.interpreter,
    toolCacheDir: runner.toolCacheDir,
    progress,
  });
  const bundle = await bundleApp(plan, toolchain, progress);
  return { bundle, interpreter: source };
}
