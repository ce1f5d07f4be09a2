// Start-up of binaries `pybin build` makes against a real interpreter, all in
// one session of alternating runs:
//   - hello world on every pinned CPython (static target) and on the glibc
//     target, against `REFERENCE hw.py` (--reference, default the
//     distribution's /usr/bin/python3: never a shim);
//   - an app of 5,000 one-line modules that imports one of them, against hello
//     (start-up must not grow with the archive);
//   - a realistic app (json, argparse, asyncio, sqlite3 and rich) against the
//     same app in a venv of a real interpreter of the same version, for each
//     pinned version that has one here.
// Usage: node --import tsx bench/startup.ts [--python 3.13] [--runs 30] [--reference /usr/bin/python3]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildApp, buildScript } from '../test/support/app.js';
import { pipEnv } from '../test/support/corpus.js';
import { findRealPython, realPythonAt } from '../test/support/real-python.js';
import { cachedVenv } from '../test/support/venv.js';
import { TEST_PYTHONS } from '../test/support/toolchain.js';
import { alternate, benchArgs, printTable, scratchDir, toolchainFor, writeScript } from './common.js';

const { python, runs, reference } = benchArgs();
detectMinor(reference); // a real CPython binary, or a clear error

const REQUIREMENTS = 'rich\n';
const dir = scratchDir('startup');
const hello = 'print("hello")\n';
const helloScript = writeScript(dir, 'hw.py', hello);
const realistic = writeRealisticApp(join(dir, 'realistic'));

const pinned = TEST_PYTHONS;
const hellos = new Map<string, string>();
for (const minor of pinned) hellos.set(minor, await buildScript(minor, hello, `hello-${minor}`));
const glibcHello = await buildScript(python, hello, 'hello-gnu', ['--target', 'x86_64-linux-gnu']);
const manyModules = await buildApp(python, writeManyModulesApp(join(dir, 'many'), 5000), ['--name', 'many']);
// The realistic app against a venv of a real interpreter of the same minor version, where one is found.
const realisticRuns: { minor: string; binary: string; venvPython: string; version: string }[] = [];
for (const minor of pinned) {
  const real = findRealPython(minor);
  if (!real) {
    console.log(`realistic app ${minor}: no real CPython ${minor} found for its venv (set PYBIN_REAL_PYTHON_${minor.replace('.', '_')})`);
    continue;
  }
  const binary = await buildApp(minor, realistic, ['--name', `realistic-${minor}`], pipEnv());
  const venv = await cachedVenv(real, 'bench-realistic', ['-r', join(realistic, 'requirements.txt')], REQUIREMENTS);
  realisticRuns.push({ minor, binary, venvPython: join(venv, 'bin', 'python'), version: real.version });
}
const toolchain = await toolchainFor(python);

const helloRow = (minor: string) => `hello, pybin ${minor} static`;
const referenceRow = `hello, ${reference}`;
const glibcRow = `hello, pybin ${python} glibc`;
const manyRow = `5,000-module app, pybin ${python}`;
const results = alternate(
  {
    ...Object.fromEntries(pinned.map((minor) => [helloRow(minor), { argv: [hellos.get(minor)!] }])),
    [glibcRow]: { argv: [glibcHello] },
    [`hello, launcher ${python} on-disk stdlib -I`]: { argv: [join(toolchain.dir, 'bin', 'pybin-launcher'), '-I', helloScript] },
    [referenceRow]: { argv: [reference, helloScript] },
    [manyRow]: { argv: [manyModules] },
    ...Object.fromEntries(
      realisticRuns.flatMap(({ minor, binary, venvPython, version }) => [
        [`realistic app, pybin ${minor}`, { argv: [binary] }],
        [`realistic app, venv of CPython ${version} -I`, { argv: [venvPython, '-I', join(realistic, '__main__.py')] }],
      ]),
    ),
  },
  runs,
);
printTable(`start-up, ${runs} alternating runs each (ms)`, results);

const ratio = (a: string, b: string) => `${(results[a]!.median / results[b]!.median).toFixed(2)}x`;
console.log('\nratios of medians (goals: <= 1.0x; the 5,000-module app <= 1.1x)');
for (const minor of pinned) console.log(`  hello ${minor} / ${reference} hw.py: ${ratio(helloRow(minor), referenceRow)}`);
console.log(`  hello ${python} glibc / ${reference} hw.py: ${ratio(glibcRow, referenceRow)}`);
console.log(`  5,000-module app / hello ${python}: ${ratio(manyRow, helloRow(python))}`);
for (const { minor, version } of realisticRuns) {
  console.log(`  realistic app ${minor} / its venv (${version}): ${ratio(`realistic app, pybin ${minor}`, `realistic app, venv of CPython ${version} -I`)}`);
}

function detectMinor(path: string): string {
  for (const minor of ['3.13', '3.12', '3.11', '3.14']) if (realPythonAt(path, minor)) return minor;
  throw new Error(`--reference ${path}: not a real CPython 3.11-3.14 binary`);
}

/** An app of `count` one-line modules whose __main__ imports one of them. */
function writeManyModulesApp(appDir: string, count: number): string {
  mkdirSync(join(appDir, 'mods'), { recursive: true });
  writeFileSync(join(appDir, 'mods', '__init__.py'), '');
  for (let i = 0; i < count; i++) writeFileSync(join(appDir, 'mods', `m${String(i).padStart(4, '0')}.py`), `VALUE = ${i}\n`);
  writeFileSync(join(appDir, '__main__.py'), `from mods import m${String(count - 1).padStart(4, '0')}\nprint(m${String(count - 1).padStart(4, '0')}.VALUE)\n`);
  return appDir;
}


/** A CLI of the usual shape: argparse, json, asyncio and sqlite3 from the stdlib, rich from PyPI. */
function writeRealisticApp(appDir: string): string {
  mkdirSync(appDir, { recursive: true });
  writeFileSync(join(appDir, 'requirements.txt'), REQUIREMENTS);
  writeFileSync(
    join(appDir, '__main__.py'),
    `import argparse, asyncio, json, sqlite3
from rich.console import Console
from rich.table import Table

parser = argparse.ArgumentParser(description="inventory report")
parser.add_argument("--limit", type=int, default=3)
args = parser.parse_args()

db = sqlite3.connect(":memory:")
db.execute("create table items (name text, count int)")
db.executemany("insert into items values (?, ?)", [("apples", 3), ("pears", 5), ("plums", 7)])

async def total():
    await asyncio.sleep(0)
    return sum(count for (count,) in db.execute("select count from items"))

table = Table("name", "count")
for name, count in db.execute("select name, count from items limit ?", (args.limit,)):
    table.add_row(name, str(count))
Console(width=60).print(table)
print(json.dumps({"total": asyncio.run(total())}))
`,
  );
  return appDir;
}
