// An app with compiled dependencies on the glibc target: `import numpy` time
// and peak RSS of the binary `pybin build` makes (numpy's shared objects
// loaded from memory) against the same script in a venv of a real CPython
// (--reference, default /usr/bin/python3.11), and the binary's size. Runs
// alternate. The wheel mirror has compiled wheels for cp311 only: 3.11.
// Usage: node --import tsx bench/compiled.ts [--python 3.11] [--runs 20] [--reference /usr/bin/python3.11]
import { spawnSync } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildApp } from '../test/support/app.js';
import { pipEnv } from '../test/support/corpus.js';
import { formatMegabytes } from '../src/plumbing/format.js';
import { listFiles } from '../src/plumbing/tree.js';
import { realPythonAt } from '../test/support/real-python.js';
import { cachedVenv } from '../test/support/venv.js';
import { alternate, printTable, scratchDir, stats } from './common.js';

const { values } = parseArgs({
  options: {
    python: { type: 'string', default: '3.11' },
    runs: { type: 'string', default: '20' },
    reference: { type: 'string', default: '/usr/bin/python3.11' },
  },
});
const python = values.python!;
const runs = Number(values.runs);
const reference = values.reference!;

// Prints its own peak RSS (KiB) after the import: what the process holds, shared pages included.
const SCRIPT = `import resource, numpy
numpy.ones((64, 64)) @ numpy.ones((64, 64))
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
`;

const dir = scratchDir('compiled');
const app = join(dir, 'app');
mkdirSync(app);
writeFileSync(join(app, '__main__.py'), SCRIPT);
writeFileSync(join(app, 'requirements.txt'), 'numpy\n');
const binary = await buildApp(python, app, ['--name', 'numpy-app'], pipEnv());

const real = realPythonAt(reference, python);
if (!real) throw new Error(`--reference ${reference} is not a real CPython ${python} binary`);
const venv = await cachedVenv(real, 'bench-numpy', ['numpy']);
const venvPython = join(venv, 'bin', 'python');
const script = join(dir, 'script.py');
writeFileSync(script, SCRIPT);

const commands = {
  'binary (glibc, numpy from memory)': { argv: [binary] },
  [`venv of ${reference} -I`]: { argv: [venvPython, '-I', script] },
};
const timings = alternate(commands, runs);
printTable(`import numpy + a matmul, CPython ${python}, ${runs} alternating runs each (ms)`, timings);

const rss = Object.fromEntries(
  Object.entries(commands).map(([name, { argv }]) => {
    const samples = Array.from({ length: 5 }, () => Number(spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' }).stdout.trim()) / 1024);
    return [name, stats(samples)];
  }),
);
printTable('peak RSS (MiB, 5 runs)', rss);

const numpyDir = join(venv, 'lib', `python${python}`, 'site-packages');
const installed = listFiles(numpyDir)
  .filter((f) => /^numpy(\.libs)?\//.test(f))
  .reduce((sum, f) => sum + statSync(join(numpyDir, f)).size, 0);
console.log(`\nbinary size: ${formatMegabytes(statSync(binary).size)}; numpy + numpy.libs installed in the venv: ${formatMegabytes(installed)}`);
