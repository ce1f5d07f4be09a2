// The corpus of real PyPI apps (test/fixtures/corpus/corpus.json), per app and
// Python: whether pybin builds it (else why not), whether every command's
// output is identical to the same pins in a venv of a real CPython, the
// binary's size, and the start time of the app's representative command,
// binary vs venv, in alternating runs.
//
//   node --import tsx bench/corpus.ts [--python 3.13,3.11] [--runs 10] [--apps flake8,black]
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  binarySide,
  buildCorpusApp,
  copyWork,
  describeCommand,
  differences,
  loadCorpus,
  notOn,
  runCommand,
  runEnv,
  tmp,
  venvSide,
  type CorpusApp,
  type CorpusCommand,
  type Side,
} from '../test/support/corpus.js';
import { findRealPython } from '../test/support/real-python.js';
import { TEST_PYTHONS } from '../test/support/toolchain.js';
import { printTable, stats, toolchainFor } from './common.js';

const { values } = parseArgs({
  options: {
    python: { type: 'string', default: TEST_PYTHONS.join(',') },
    runs: { type: 'string', default: '10' },
    apps: { type: 'string' },
  },
});
const pythons = values.python!.split(',');
const runs = Number(values.runs);
const wanted = values.apps?.split(',');
const corpus = loadCorpus().filter((app) => !wanted || wanted.includes(app.name));

/** One run of the bench command in `work` (kept across runs: a warm __pycache__, as a user's repeated runs), in ms. */
function timeOnce(side: Side, app: CorpusApp, command: CorpusCommand, work: string, home: string): number {
  const args = command.args.map((a) => a.split('{work}').join(work));
  const input = command.stdin ? readFileSync(join(work, command.stdin)) : undefined;
  const started = process.hrtime.bigint();
  const result = spawnSync(side.command, [...side.prefix, ...args], { cwd: work, env: runEnv(home), input, stdio: ['pipe', 'ignore', 'pipe'] });
  const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`${side.label}: ${app.script} ${command.args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return elapsed;
}

/** Median ms of `runs` alternating runs (binary, venv, binary, ...), after one warm-up each. */
function startTimes(sides: Side[], app: CorpusApp): number[] {
  const setups = sides.map(() => {
    const work = join(tmp(`${app.name}-bench`), 'work');
    copyWork(app, work);
    return { work, home: tmp(`${app.name}-bench-home`) };
  });
  const samples: number[][] = sides.map(() => []);
  sides.forEach((side, i) => timeOnce(side, app, app.bench, setups[i]!.work, setups[i]!.home));
  for (let run = 0; run < runs; run++) {
    sides.forEach((side, i) => samples[i]!.push(timeOnce(side, app, app.bench, setups[i]!.work, setups[i]!.home)));
  }
  return samples.map((s) => stats(s).median);
}

for (const python of pythons) {
  const toolchain = await toolchainFor(python);
  const real = findRealPython(python, toolchain.metadata.python);
  if (!real) throw new Error(`no real CPython ${python} found (set PYBIN_REAL_PYTHON_${python.replace('.', '_')})`);
  const rows: Record<string, Record<string, number | string>> = {};
  const notes: string[] = [];
  for (const app of corpus) {
    const skip = notOn(app, python);
    if (skip) {
      rows[app.name] = { built: 'no: not in the mirror for this Python' };
      notes.push(`${app.name}: ${skip}`);
      continue;
    }
    const [built, venv] = await Promise.all([buildCorpusApp(app, python), venvSide(app, real)]);
    if (!built.ok) {
      rows[app.name] = { built: `no: ${built.reason.slice(0, 60)}` };
      notes.push(`${app.name}: ${built.reason}`);
      continue;
    }
    const binary = binarySide(app, built.binary, toolchain.metadata.python);
    let identical = 0;
    for (const command of app.commands) {
      const [expected, actual] = await Promise.all([runCommand(venv, app, command), runCommand(binary, app, command)]);
      if (differences(expected, actual, command).length === 0) identical++;
    }
    const row: Record<string, number | string> = {
      built: 'yes',
      identical: `${identical}/${app.commands.length}`,
      'size MB': built.size / 1e6,
      'bench command': `${app.script} ${describeCommand(app.bench)}`.slice(0, 44),
    };
    try {
      const [pybinMs, venvMs] = startTimes([binary, venv], app);
      Object.assign(row, { 'pybin ms': pybinMs!, 'venv ms': venvMs!, 'pybin/venv': pybinMs! / venvMs! });
    } catch (error) {
      row['pybin ms'] = 'failed';
      notes.push(`${app.name}: the bench command failed: ${String(error).split('\n').slice(0, 1).join('')} ...${String(error).split('\n').filter(Boolean).at(-1)}`);
    }
    rows[app.name] = row;
  }
  printTable(
    `corpus, pybin CPython ${toolchain.metadata.python} vs a venv of ${real.version}: start = median of ${runs} alternating runs (ms)`,
    rows,
  );
  for (const note of notes) console.log(`  ${note}`);
}
