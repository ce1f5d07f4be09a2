import * as core from '@actions/core';
import { readFileSync } from 'node:fs';
import { readActionOptions } from './options/action-inputs.js';
import { runPipeline } from './pipeline.js';
import { PybinError, errorMessage } from './plumbing/errors.js';
import { recordTimings, type Progress } from './plumbing/progress.js';
import { readGitHubContext } from './publish/github-context.js';
import { publishBinary } from './publish/publish.js';
import { installHostTools } from './runner/host-tools.js';
import { mayWriteActionsCache, runnerInterpreterCache } from './runner/interpreter-cache.js';
import { writeFailureSummary, writeOutputs } from './runner/outputs.js';
import { hostTarget } from './toolchain/targets.js';

/** Progress through the runner's log, with a collapsible group per stage. */
const actionsProgress: Progress = {
  info: (message) => core.info(message),
  warn: (message) => core.warning(message),
  stage: (label, work) => core.group(label, work),
};

/** The Action's entry: inputs -> the same pipeline as the CLI, with what the runner lends -> publishing -> outputs and summary. */
export async function run(): Promise<void> {
  try {
    const context = readGitHubContext(process.env, (path) => JSON.parse(readFileSync(path, 'utf8')) as unknown);
    const options = readActionOptions((name) => core.getInput(name), {
      tag: context.tag,
      repository: `${context.repository.owner}/${context.repository.repo}`,
      defaultManifestUrl: process.env.GITHUB_ACTION_REPOSITORY
        ? `${context.serverUrl}/${process.env.GITHUB_ACTION_REPOSITORY}/releases/download/toolchains/manifest.json`
        : undefined,
    });
    if (options.publish.token) core.setSecret(options.publish.token);

    const progress = recordTimings(actionsProgress);
    const toolCacheDir = process.env.RUNNER_TOOL_CACHE;
    const cacheWrite = mayWriteActionsCache(context.eventName);
    if (!cacheWrite.allowed && options.actionsCache) progress.info(cacheWrite.why);
    const bundle = await runPipeline(options, {
      progress,
      interpreterCache: toolCacheDir ? runnerInterpreterCache(toolCacheDir, options.actionsCache, cacheWrite.allowed) : undefined,
      // GitHub's runners lack musl and the cross tools: `uses:` alone must work.
      prepareHost: (targets, buildsInterpreters) => installHostTools(targets, hostTarget(), buildsInterpreters, progress),
    });
    const published = await publishBinary(bundle, options.publish, context, progress);
    await writeOutputs(bundle, published, progress.timings);
  } catch (error) {
    const input = error instanceof PybinError ? error.input : undefined;
    if (!(error instanceof PybinError)) core.debug(error instanceof Error ? (error.stack ?? '') : String(error));
    const message = input ? `input ${input}: ${errorMessage(error)}` : errorMessage(error);
    core.setFailed(message);
    await writeFailureSummary(message);
  }
}
