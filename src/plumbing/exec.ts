import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { PybinError } from './errors.js';

/**
 * What the runner hands the Action and no child process may see: the
 * Action's inputs (INPUT_TOKEN among them), the runtime's credentials and
 * service URLs (ACTIONS_RUNTIME_TOKEN, ACTIONS_ID_TOKEN_REQUEST_*,
 * ACTIONS_CACHE_URL, ACTIONS_RESULTS_URL: whoever holds them uploads
 * artifacts, writes cache entries or mints OIDC tokens) and the usual names
 * of a GitHub token. pybin runs third-party code in its children (pip, build
 * backends, setup.py, the app under test, apt's maintainer scripts).
 */
const SECRET = /^(INPUT_|ACTIONS_)|^(GITHUB_TOKEN|GH_TOKEN|GH_ENTERPRISE_TOKEN|GITHUB_ENTERPRISE_TOKEN)$/i;

/** The environment a child process gets: the caller's, without the runner's secrets. Every spawn here goes through it. */
export function childEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name, value]) => value !== undefined && !SECRET.test(name)));
}

export interface RunOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Output of the command is appended here, never shown unless it fails. */
  logFile: string;
  /** Names the step in the error message. */
  label: string;
}

const TAIL_LINES = 20;
const MAX_LINE = 300;

/**
 * The end of a build log, plus its `error:` lines: with `make -j` the first
 * error is often buried above other jobs' output. Long compiler lines are cut.
 */
const cut = (line: string) => (line.length > MAX_LINE ? `${line.slice(0, MAX_LINE)} …` : line);

export function logExcerpt(log: string): string {
  const lines = log.trimEnd().split('\n');
  const tail = lines.slice(-TAIL_LINES);
  const errors = lines.filter((l) => /\berror\b/i.test(l) && !tail.includes(l)).slice(-10);
  return [...(errors.length ? [...errors, '…'] : []), ...tail].map(cut).join('\n');
}

/** Run a build command with its output going to a log; fail with the log's tail. */
export async function runLogged(argv: string[], options: RunOptions): Promise<void> {
  const [command, ...args] = argv;
  if (!command) throw new Error('runLogged: empty command');
  const log = openSync(options.logFile, 'a');
  try {
    const exit = await new Promise<{ code: number | null; error?: Error }>((resolve) => {
      const child = spawn(command, args, { cwd: options.cwd, env: childEnv(options.env), stdio: ['ignore', log, log] });
      child.on('error', (error) => resolve({ code: null, error }));
      child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1) }));
    });
    if (exit.code === 0) return;
    const tail = logExcerpt(readFileSync(options.logFile, 'utf8'));
    const why = exit.error ? `could not start ${command}: ${exit.error.message}` : `exit status ${exit.code}`;
    throw new PybinError(
      `${options.label} failed (${why}): \`${cut(argv.join(' '))}\`\n` +
        `--- last lines of the log ---\n${tail}\n--- full log: ${options.logFile}`,
    );
  } finally {
    closeSync(log);
  }
}

export interface CommandResult {
  status: number | null;
  /** The signal that ended it, if one did. */
  signal?: NodeJS.Signals;
  /** Killed for running past its time. */
  timedOut?: boolean;
  stdout: string;
  stderr: string;
}

/**
 * Run a command to completion with its output collected; the caller judges
 * the status. Past `timeoutMs` it is killed (status null, `timedOut` set).
 */
export function runCommand(argv: string[], env: NodeJS.ProcessEnv = process.env, timeoutMs?: number): Promise<CommandResult> {
  const [command, ...args] = argv;
  if (!command) throw new Error('runCommand: empty command');
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = timeoutMs === undefined ? undefined : setTimeout(() => ((timedOut = true), child.kill('SIGKILL')), timeoutMs);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (error) => (clearTimeout(timer), reject(error)));
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr, ...(signal ? { signal } : {}), ...(timedOut ? { timedOut } : {}) });
    });
  });
}

/** Run a short command and return its stdout (for probes, not builds); a non-zero exit throws. */
export async function capture(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const result = await runCommand(argv, env);
  if (result.status !== 0) throw new Error(`\`${argv.join(' ')}\` exited ${result.status}: ${result.stderr.trim()}`);
  return result.stdout;
}
