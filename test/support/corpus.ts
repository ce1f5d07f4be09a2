import {
  cpSync,
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import picomatch from 'picomatch';
import { parse } from 'smol-toml';
import { sha256 } from '../../src/plumbing/hash.js';
import { walkTree } from '../../src/plumbing/tree.js';
import { pybinBuild } from './cli.js';
import type { RealPython } from './real-python.js';
import { cachedVenv } from './venv.js';
import { run, type RunResult } from './run.js';

/** The corpus of real PyPI apps: test/fixtures/corpus/corpus.json (its $comment documents the fields). */
export const CORPUS_DIR = fileURLToPath(new URL('../fixtures/corpus', import.meta.url));

export type Stream = 'stdout' | 'stderr';

export interface CorpusCommand {
  args: string[];
  stdin?: string;
  /** Files of the work dir the command needs: copied into the chroot (and the venv's empty dir) at the same path. */
  files?: string[];
  outputs?: string[];
  ignore?: string[];
  unordered?: Stream[];
  normalize?: [string, string][];
  /** The exit status the venv run must have (default 0). */
  status?: number;
}

export interface CorpusApp {
  name: string;
  covers: string[];
  requirements: string[];
  app: string;
  entry: string;
  script: string;
  pythons: string[];
  notOn?: Record<string, string>;
  /** Anything else a reader should know about the app's commands. */
  note?: string;
  work: string;
  /** Files laid into the work dir: its path -> a file of CORPUS_DIR/samples (sample code several apps read). */
  samples?: Record<string, string>;
  commands: CorpusCommand[];
  chroot: CorpusCommand;
  bench: CorpusCommand;
}

export function loadCorpus(): CorpusApp[] {
  return (JSON.parse(readFileSync(join(CORPUS_DIR, 'corpus.json'), 'utf8')) as { apps: CorpusApp[] }).apps;
}

/** Why `app` is not checked on `python` (undefined: it is). */
export function notOn(app: CorpusApp, python: string): string | undefined {
  if (app.pythons.includes(python)) return undefined;
  return app.notOn?.[python] ?? `the corpus lists it for ${app.pythons.join(', ')} only`;
}

/** pip must not stall on an unreachable default index (a mirror serves it here); a caller's own setting wins. */
export function pipEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PIP_RETRIES: process.env.PIP_RETRIES ?? '0',
    PIP_TIMEOUT: process.env.PIP_TIMEOUT ?? '3',
    PIP_DISABLE_PIP_VERSION_CHECK: '1',
  };
}

/** The requirements the app dir declares: [project].dependencies, else requirements.txt. */
export function declaredRequirements(app: CorpusApp): string[] {
  const dir = join(CORPUS_DIR, app.app);
  if (existsSync(join(dir, 'pyproject.toml'))) {
    const data = parse(readFileSync(join(dir, 'pyproject.toml'), 'utf8')) as { project?: { dependencies?: string[] } };
    return data.project?.dependencies ?? [];
  }
  return readFileSync(join(dir, 'requirements.txt'), 'utf8')
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .filter(Boolean);
}

let scratch: string | undefined;

/** A new temporary dir; all of them live under one dir per process, removed when the process exits (binaries are ~20-45 MB). */
export function tmp(name: string): string {
  if (!scratch) {
    const root = realpathSync(mkdtempSync(join(tmpdir(), 'pybin-corpus-')));
    process.on('exit', () => rmSync(root, { recursive: true, force: true }));
    scratch = root;
  }
  return mkdtempSync(join(scratch, `${name}-`));
}

export type BuildOutcome =
  | { ok: true; binary: string; size: number; seconds: number; result: RunResult }
  | { ok: false; reason: string; seconds: number; result: RunResult };

/**
 * `pybin build APP --name SCRIPT --entry ENTRY --python V`, as a user would,
 * from a copy of the app dir (setuptools writes its .egg-info into the tree).
 */
export async function buildCorpusApp(app: CorpusApp, python: string): Promise<BuildOutcome> {
  const appDir = join(tmp(`${app.name}-src`), app.name);
  cpSync(join(CORPUS_DIR, app.app), appDir, { recursive: true });
  const out = tmp(`${app.name}-out`);
  const started = Date.now();
  const result = await pybinBuild(python, [appDir, '--name', app.script, '--entry', app.entry, '--out', out], pipEnv());
  const seconds = (Date.now() - started) / 1000;
  const binary = result.stdout.trim().split('\n').at(-1) ?? '';
  if (result.status !== 0 || !binary || !existsSync(binary)) {
    const error = result.stderr.split('\n').find((l) => l.includes('error:')) ?? `exit ${result.status}`;
    return { ok: false, reason: error.replace(/^pybin: error: /, ''), seconds, result };
  }
  return { ok: true, binary, size: statSync(binary).size, seconds, result };
}

/** How one side runs the app: `command ...prefix ...args`, with its bin dir and Python version to normalise. */
export interface Side {
  label: string;
  command: string;
  prefix: string[];
  binDir: string;
  pythonVersion: string;
  /** How to run `python -c` on this side (PYBIN_INTERPRETER=1 for a binary). */
  interpreter: { command: string; env: NodeJS.ProcessEnv };
}

/** Link (or copy) `file` as `dir/name`. */
function place(file: string, dir: string, name: string): string {
  const path = join(dir, name);
  try {
    linkSync(file, path);
  } catch {
    cpSync(file, path);
  }
  return path;
}

/** The binary under the console script's name, so that argparse and click name the program alike. */
export function binarySide(app: CorpusApp, binary: string, pythonVersion: string): Side {
  const binDir = tmp(`${app.name}-bin`);
  const named = place(binary, binDir, app.script);
  return { label: 'pybin', command: named, prefix: [], binDir, pythonVersion, interpreter: { command: named, env: { PYBIN_INTERPRETER: '1' } } };
}

/**
 * A venv of the real CPython with the app's pins (test/support/venv.ts). Its
 * console script runs as `venv/bin/python venv/bin/SCRIPT`, which is what its
 * shebang does.
 */
export async function venvSide(app: CorpusApp, real: RealPython): Promise<Side> {
  const dir = await cachedVenv(real, app.name, [...app.requirements].sort());
  const python = join(dir, 'bin', 'python');
  return {
    label: `venv ${real.version}`,
    command: python,
    prefix: [join(dir, 'bin', app.script)],
    binDir: join(dir, 'bin'),
    pythonVersion: real.version,
    interpreter: { command: python, env: {} },
  };
}

const DISTRIBUTIONS = [
  'import importlib.metadata as m, platform',
  'skip = {"pip", "setuptools", "wheel"}',
  'names = sorted({(d.metadata["Name"].lower().replace("_", "-"), d.version) for d in m.distributions()})',
  'print(platform.python_version())',
  'print(" ".join(f"{n}=={v}" for n, v in names if n not in skip and not n.startswith("corpus-")))',
].join('\n');

/** The Python version and the installed distributions (name==version) a side sees. */
export async function distributions(side: Side): Promise<{ python: string; dists: string }> {
  const result = await run(side.interpreter.command, ['-I', '-c', DISTRIBUTIONS], { env: { ...runEnv(tmpdir()), ...side.interpreter.env } });
  if (result.status !== 0) throw new Error(`${side.label}: listing distributions failed: ${result.stderr}`);
  const [python = '', dists = ''] = result.stdout.trim().split('\n');
  return { python, dists };
}

/** A small fixed environment for every run: no PYTHON* variables, UTF-8, 80 columns, UTC, a fresh HOME. */
export function runEnv(home: string): NodeJS.ProcessEnv {
  return { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: home, LC_ALL: 'C.UTF-8', COLUMNS: '80', TZ: 'UTC', BLACK_CACHE_DIR: join(home, 'black-cache') };
}

/** What a run did: its exit status, output, and the files it wrote that the command compares. */
export interface Outcome {
  status: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  files: Record<string, string>;
}

/** The paths and version one run is normalised by. `work` is replaced by `workLabel` ('<work>' unless given). */
export interface RunContext {
  work: string;
  workLabel?: string;
  home: string;
  binDir: string;
  pythonVersion: string;
}

function isText(data: Buffer): boolean {
  return !data.includes(0) && Buffer.from(data.toString('utf8'), 'utf8').equals(data);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Replace what must differ between the two sides: paths, the Python patch release, and the command's own patterns. */
export function normalise(text: string, context: RunContext, command: CorpusCommand): string {
  let out = text;
  const paths: [string, string][] = [
    [context.work, context.workLabel ?? '<work>'],
    [context.binDir, '<bin>'],
    [context.home, '<home>'],
  ];
  for (const [path, label] of paths) if (path && path !== '/') out = out.split(path).join(label);
  out = out.replace(new RegExp(`(?<![\\d.])${escapeRegExp(context.pythonVersion)}(?!\\d)`, 'g'), '<python-version>');
  for (const [pattern, replacement] of command.normalize ?? []) out = out.replace(new RegExp(pattern, 'g'), replacement);
  return out;
}

function collectOutputs(work: string, command: CorpusCommand): Record<string, Buffer> {
  const files: Record<string, Buffer> = {};
  const ignored = picomatch(command.ignore ?? [], { dot: true });
  for (const output of command.outputs ?? []) {
    const root = join(work, output);
    if (!existsSync(root)) {
      files[output] = Buffer.from('<missing>');
      continue;
    }
    if (!statSync(root).isDirectory()) {
      files[output] = readFileSync(root);
      continue;
    }
    for (const { name, path, stats } of walkTree(root, (e) => e.name.endsWith('__pycache__/'))) {
      if (stats.isFile() && !ignored(name)) files[`${output.replace(/\/+$/, '')}/${name}`] = readFileSync(path);
    }
  }
  return files;
}

/** Exit status, normalised output and written files of one run. */
export function outcome(result: RunResult, files: Record<string, Buffer>, context: RunContext, command: CorpusCommand): Outcome {
  const text = (s: string, stream: Stream) => {
    const n = normalise(s, context, command);
    return command.unordered?.includes(stream) ? n.split('\n').sort().join('\n') : n;
  };
  return {
    status: result.status,
    signal: result.signal,
    stdout: text(result.stdout, 'stdout'),
    stderr: text(result.stderr, 'stderr'),
    files: Object.fromEntries(
      Object.entries(files).map(([name, data]) => [name, isText(data) ? normalise(data.toString('utf8'), context, command) : `<binary sha256 ${sha256(data)}>`]),
    ),
  };
}

/** A file of the app's work dir, by its path there: its own, or a shared sample. */
function workFile(app: CorpusApp, path: string): string {
  const sample = app.samples?.[path];
  return sample ? join(CORPUS_DIR, 'samples', sample) : join(CORPUS_DIR, app.work, path);
}

/** A fresh copy of the app's work dir, samples included, at `into`. */
export function copyWork(app: CorpusApp, into: string): void {
  cpSync(join(CORPUS_DIR, app.work), into, { recursive: true });
  for (const path of Object.keys(app.samples ?? {})) {
    mkdirSync(dirname(join(into, path)), { recursive: true });
    cpSync(workFile(app, path), join(into, path));
  }
}

/** Run one command of `app` on a side, in a fresh copy of the app's work dir. */
export async function runCommand(side: Side, app: CorpusApp, command: CorpusCommand): Promise<Outcome> {
  const work = join(tmp(`${app.name}-work`), 'work');
  copyWork(app, work);
  const home = tmp(`${app.name}-home`);
  const args = command.args.map((a) => a.split('{work}').join(work));
  const input = command.stdin ? readFileSync(join(work, command.stdin), 'utf8') : undefined;
  const result = await run(side.command, [...side.prefix, ...args], { cwd: work, env: runEnv(home), input, timeoutMs: 5 * 60_000 });
  return outcome(result, collectOutputs(work, command), { work, home, binDir: side.binDir, pythonVersion: side.pythonVersion }, command);
}

/** The app's chroot command's `files`, by their path in the root: what test/support/chroot.ts puts there. */
export function chrootFiles(app: CorpusApp): Record<string, Buffer> {
  return Object.fromEntries((app.chroot.files ?? []).map((f) => [f, readFileSync(workFile(app, f))]));
}

/**
 * The reference for the chroot run: the venv's console script copied as `app`
 * (the chroot runs the binary as /app) and run from a dir holding only the
 * command's `files`, as the chroot's / does; that dir is normalised to '' so
 * that its absolute paths read as the chroot's.
 */
export async function runLikeChroot(venv: Side, app: CorpusApp): Promise<Outcome> {
  const work = tmp(`${app.name}-root`);
  for (const [path, data] of Object.entries(chrootFiles(app))) {
    mkdirSync(dirname(join(work, path)), { recursive: true });
    writeFileSync(join(work, path), data);
  }
  const scriptDir = tmp(`${app.name}-script`);
  cpSync(venv.prefix[0]!, join(scriptDir, 'app'));
  const result = await run(venv.command, [join(scriptDir, 'app'), ...app.chroot.args], { cwd: work, env: chrootEnv(), timeoutMs: 5 * 60_000 });
  return outcome(result, {}, { work, workLabel: '', home: '/tmp', binDir: scriptDir, pythonVersion: venv.pythonVersion }, app.chroot);
}

/** The environment of the chroot run and of its reference. */
export function chrootEnv(): NodeJS.ProcessEnv {
  return runEnv('/tmp');
}

/** The differences between the venv's outcome and the binary's, for a report (empty: identical). */
export function differences(expected: Outcome, actual: Outcome, command: CorpusCommand): string[] {
  const diffs: string[] = [];
  if (expected.status !== (command.status ?? 0)) {
    diffs.push(`the venv run itself exited ${expected.status ?? expected.signal}, not ${command.status ?? 0} (a broken fixture?): ${expected.stderr.slice(-500)}`);
  }
  if (expected.status !== actual.status || expected.signal !== actual.signal) {
    diffs.push(`exit status: venv ${expected.status ?? expected.signal}, pybin ${actual.status ?? actual.signal}`);
  }
  for (const stream of ['stdout', 'stderr'] as const) {
    if (expected[stream] !== actual[stream]) diffs.push(`${stream}: ${firstDifference(expected[stream], actual[stream])}`);
  }
  const names = [...new Set([...Object.keys(expected.files), ...Object.keys(actual.files)])].sort();
  for (const name of names) {
    const [e, a] = [expected.files[name], actual.files[name]];
    if (e === undefined) diffs.push(`file ${name}: written by pybin only`);
    else if (a === undefined) diffs.push(`file ${name}: written by the venv only`);
    else if (e !== a) diffs.push(`file ${name}: ${firstDifference(e, a)}`);
  }
  return diffs;
}

/** The first differing line, with a line of context either side, venv vs pybin. */
export function firstDifference(expected: string, actual: string): string {
  const [e, a] = [expected.split('\n'), actual.split('\n')];
  let i = 0;
  while (i < e.length && i < a.length && e[i] === a[i]) i++;
  const show = (lines: string[]) => JSON.stringify(lines.slice(Math.max(0, i - 1), i + 2).join('\n'));
  return `line ${i + 1} differs (venv ${e.length} lines, pybin ${a.length}):\n    venv:  ${show(e)}\n    pybin: ${show(a)}`;
}

export function describeCommand(command: CorpusCommand): string {
  const args = command.args.map((a) => (/^[\w./:=,%-]+$/.test(a) ? a : JSON.stringify(a))).join(' ');
  return command.stdin ? `${args} < ${command.stdin}` : args;
}
