import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../src/plumbing/package-root.js';
import { run, type RunResult } from './run.js';

export interface ActionRun extends RunResult {
  outputs: Record<string, string>;
  summary: string;
}

export interface ActionEnv {
  /** Inputs by their action.yml names. */
  inputs: Record<string, string>;
  /** GITHUB_*, ACTIONS_*, RUNNER_* and friends. */
  env?: NodeJS.ProcessEnv;
  /** The event payload, written to GITHUB_EVENT_PATH. */
  event?: object;
}

/** GITHUB_OUTPUT holds `name<<DELIMITER\nvalue\nDELIMITER` blocks. */
function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const block = /^([^\n<]+)<<(\S+)\n([\s\S]*?)\n\2$/gm;
  for (const [, name, , value] of text.matchAll(block)) outputs[name!] = value!;
  return outputs;
}

/** Run dist/index.js the way the runner does: a fresh node with INPUT_* and the runner's files. */
export async function runAction({ inputs, env = {}, event = {} }: ActionEnv): Promise<ActionRun> {
  const dir = mkdtempSync(join(tmpdir(), 'pybin-runner-'));
  const files = { GITHUB_OUTPUT: join(dir, 'output'), GITHUB_STEP_SUMMARY: join(dir, 'summary'), GITHUB_EVENT_PATH: join(dir, 'event.json') };
  writeFileSync(files.GITHUB_OUTPUT, '');
  writeFileSync(files.GITHUB_STEP_SUMMARY, '');
  writeFileSync(files.GITHUB_EVENT_PATH, JSON.stringify(event));
  const inputEnv = Object.fromEntries(Object.entries(inputs).map(([name, value]) => [`INPUT_${name.replace(/ /g, '_').toUpperCase()}`, value]));
  const result = await run(process.execPath, [join(packageRoot(), 'dist', 'index.js')], {
    cwd: packageRoot(),
    timeoutMs: 30 * 60_000,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PYBIN_CACHE_DIR: process.env.PYBIN_CACHE_DIR,
      GITHUB_ACTIONS: 'true',
      GITHUB_WORKSPACE: packageRoot(),
      GITHUB_REPOSITORY: 'acme/tool',
      // *.ghe.com: @actions/artifact refuses hosts it takes for GitHub Enterprise Server.
      GITHUB_SERVER_URL: 'https://acme.ghe.com',
      GITHUB_RUN_ID: '4242',
      GITHUB_EVENT_NAME: 'push',
      GITHUB_REF: 'refs/heads/main',
      RUNNER_TEMP: join(dir, 'temp'),
      RUNNER_TOOL_CACHE: join(dir, 'tool-cache'),
      ...files,
      ...inputEnv,
      ...env,
    },
  });
  return { ...result, outputs: parseOutputs(readFileSync(files.GITHUB_OUTPUT, 'utf8')), summary: readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8') };
}
