import { buildBinary, planBuild, type BuildResult } from './build.js';
import type { Options } from './options.js';
import type { Progress } from './progress.js';
import { resolveInterpreter, type InterpreterSource } from './toolchain/resolve.js';

export interface PipelineResult {
  build: BuildResult;
  interpreter: InterpreterSource;
}

/** Where the runner keeps things; absent outside GitHub Actions. */
export interface RunnerDirs {
  toolCacheDir?: string;
}

/** Options -> checked plan -> interpreter -> binary: what the CLI and the Action both run. */
export async function runPipeline(options: Options, progress: Progress, runner: RunnerDirs = {}): Promise<PipelineResult> {
  const plan = planBuild(options.build);
  const { toolchain, source } = await resolveInterpreter({
    python: plan.python,
    sourcesFile: options.build.sourcesFile,
    cacheDir: options.build.cacheDir,
    jobs: options.build.jobs,
    ...options.interpreter,
    toolCacheDir: runner.toolCacheDir,
    progress,
  });
  const build = await buildBinary(plan, toolchain, progress);
  return { build, interpreter: source };
}
