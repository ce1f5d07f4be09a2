import * as core from '@actions/core';
import { PybinError, errorMessage } from './errors.js';
import type { Progress } from './progress.js';
import { ensureToolchain } from './toolchain/toolchain.js';

/** Progress through the runner's log, with a collapsible group per stage. */
const actionsProgress: Progress = {
  info: (message) => core.info(message),
  warn: (message) => core.warning(message),
  stage: (label, work) => core.group(label, work),
};

/** The Action's entry: inputs -> the same pipeline as the CLI -> outputs. */
export async function run(): Promise<void> {
  try {
    const toolchain = await ensureToolchain({
      python: core.getInput('python-version') || undefined,
      sourcesFile: core.getInput('sources') || undefined,
      progress: actionsProgress,
    });
    core.setOutput('toolchain-dir', toolchain.dir);
    core.setOutput('python-version', toolchain.metadata.python);
    core.setOutput('target', toolchain.metadata.target);
    core.setOutput('cache-hit', toolchain.hit ? 'cache' : 'build');
  } catch (error) {
    const input = error instanceof PybinError ? error.input : undefined;
    core.setFailed(input ? `${input}: ${errorMessage(error)}` : errorMessage(error));
  }
}

await run();
