import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { PybinError } from './errors.js';

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
      const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', log, log] });
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
  stdout: string;
  stderr: string;
}

/** Run a command to completion with its output collected; the caller judges the status. */
export function runCommand(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<CommandResult> {
  const [command, ...args] = argv;
  if (!command) throw new Error('runCommand: empty command');
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** Run a short command and return its stdout (for probes, not builds); a non-zero exit throws. */
export async function capture(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const result = await runCommand(argv, env);
  if (result.status !== 0) throw new Error(`\`${argv.join(' ')}\` exited ${result.status}: ${result.stderr.trim()}`);
  return result.stdout;
}
