import * as core from '@actions/core';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { PybinError, errorMessage } from './plumbing/errors.js';
import { readActionOptions } from './options.js';
import { runPipeline } from './pipeline.js';
import { recordTimings, type Progress } from './plumbing/progress.js';
import { readGitHubContext } from './publish/github-context.js';
import { publishBinary } from './publish/publish.js';
import { renderSummary } from './publish/summary.js';
import { installHostTools, targetsOfInput } from './toolchain/host-tools.js';
import { hostTarget, TARGETS } from './toolchain/targets.js';

/** Progress through the runner's log, with a collapsible group per stage. */
const actionsProgress: Progress = {
  info: (message) => core.info(message),
  warn: (message) => core.warning(message),
  stage: (label, work) => core.group(label, work),
};

/** The Action's entry: inputs -> the same pipeline as the CLI -> publishing -> outputs and summary. */
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
    if (options.publish?.token) core.setSecret(options.publish.token);

    const progress = recordTimings(actionsProgress);
    // GitHub's runners lack musl and the cross tools: `uses:` alone must work.
    const targets = targetsOfInput(options.bundle.target ?? 'auto', hostTarget, TARGETS);
    await installHostTools(targets, hostTarget(), options.interpreter.mode !== 'fetch', progress);
    const { bundle, interpreter } = await runPipeline(options, progress, { toolCacheDir: process.env.RUNNER_TOOL_CACHE });
    const published = options.publish ? await publishBinary(bundle, options.publish, context, progress) : {};

    const outputs: Record<string, string | number | undefined> = {
      'binary-path': bundle.binary,
      'binary-name': basename(bundle.binary),
      sha256: bundle.sha256,
      size: bundle.size,
      'python-version': bundle.toolchain.metadata.python,
      target: bundle.target,
      'requires-glibc': bundle.requiresGlibc?.version,
      'cache-hit': String(interpreter === 'tool-cache' || interpreter === 'actions-cache' || bundle.toolchain.hit),
      'interpreter-source': interpreter,
      'artifact-id': published.artifact?.id,
      'artifact-url': published.artifact?.url,
      'release-url': published.release?.url,
      'asset-url': published.release?.assetUrl,
    };
    for (const [name, value] of Object.entries(outputs)) core.setOutput(name, value ?? '');

    await core.summary
      .addRaw(
        renderSummary({
          binary: outputs['binary-name'] as string,
          target: bundle.target,
          runsOn: bundle.requiresGlibc
            ? `Linux ${bundle.arch} with glibc ${bundle.requiresGlibc.version} or newer (set by ${bundle.requiresGlibc.decidedBy})`
            : `any Linux ${bundle.arch} (static)`,
          python: bundle.toolchain.metadata.python,
          size: bundle.size,
          sha256: bundle.sha256,
          smokeTest: bundle.smokeTest ? `passed: \`${bundle.smokeTest.args.join(' ')}\`` : 'not run',
          interpreter,
          timings: progress.timings,
          artifactUrl: published.artifact?.url,
          assetUrl: published.release?.assetUrl,
        }),
      )
      .write();
  } catch (error) {
    const input = error instanceof PybinError ? error.input : undefined;
    if (!(error instanceof PybinError)) core.debug(error instanceof Error ? (error.stack ?? '') : String(error));
    const message = input ? `input ${input}: ${errorMessage(error)}` : errorMessage(error);
    core.setFailed(message);
    await writeFailureSummary(message);
  }
}

/** The summary says why the job failed too; without a summary file (a local run) there is nothing to write. */
async function writeFailureSummary(message: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  await core.summary.addRaw(`### ❌ pybin failed\n\n${message}\n`).write();
}

