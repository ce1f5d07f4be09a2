// Start-up of binaries `pybin build` makes against a real interpreter, all in
// one session of alternating runs:
//   - hello world on every pinned CPython (static target) and on the glibc
//     target, against `REFERENCE hw.py` (--reference, default the
//     distribution's /usr/bin/python3: never a shim);
//   - an app of 5,000 one-line modules that imports one of them, against hello
//     (start-up must not grow with the archive);
//   - a realistic app (json, argparse, asyncio, sqlite3 and rich) against the
//     same app in a venv of the reference, built with the reference's version.
// Usage: node --import tsx bench/startup.ts [--python 3.13] [--runs 30] [--reference /usr/bin/python3]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildApp, buildScript } from '../test/support/app.js';
import { pipEnv } from '../test/support/corpus.js';
import { realPythonAt } from '../test/support/real-python.js';
import { cachedVenv } from '../test/support/venv.js';
import { PYTHONS } from '../src/toolchain/recipes.js';
import { alternate, benchArgs, printTable, scratchDir, toolchainFor, writeScript } from './common.js';

const { python, runs, reference } = benchArgs();
const referenceMinor = /python(\d+\.\d+)$/.exec(reference)?.[1] ?? detectMinor(reference);
const real = realPythonAt(reference, referenceMinor);
if (!real) throw new Error(`--reference ${reference} is not a real CPython binary (a shim or a venv?)`);

const REQUIREMENTS = 'rich\n';
const dir = scratchDir('startup');
const hello = 'print("hello")\n';
const helloScript = writeScript(dir, 'hw.py', hello);

const pinned = PYTHONS.filter((p) => p.tested).map((p) => p.version.split('.').slice(0, 2).join('.'));
const hellos = Object.fromEntries(
  await Promise.all(pinned.map(async (minor) => [minor, await buildScript(minor, hello, `hello-${minor}`)] as const)),
);
const glibcHello = await buildScript(python, hello, 'hello-gnu', ['--target', 'x86_64-linux-gnu']);
const manyModules = await buildApp(python, writeManyModulesApp(join(dir, 'many'), 5000), ['--name', 'many']);
const realistic = writeRealisticApp(join(dir, 'realistic'));
const realisticBinary = await buildApp(referenceMinor, realistic, ['--name', 'realistic'], pipEnv());
const venv = await cachedVenv(real, 'bench-realistic', ['-r', join(realistic, 'requirements.txt')], REQUIREMENTS);
const toolchain = await toolchainFor(python);

const helloRow = (minor: string) => `hello, pybin ${minor} static`;
const results = alternate(
  {
    ...Object.fromEntries(pinned.map((minor) => [helloRow(minor), { argv: [hellos[minor]!] }])),
    [`hello, pybin ${python} glibc`]: { argv: [glibcHello] },
    [`hello, launcher ${python} on-disk stdlib -I`]: { argv: [join(toolchain.dir, 'bin', 'pybin-launcher'), '-I', helloScript] },
    [`hello, ${reference}`]: { argv: [reference, helloScript] },
    [`5,000-module app, pybin ${python}`]: { argv: [manyModules] },
    [`realistic app, pybin ${referenceMinor}`]: { argv: [realisticBinary] },
    [`realistic app, venv of ${reference} -I`]: { argv: [join(venv, 'bin', 'python'), '-I', join(realistic, '__main__.py')] },
  },
  runs,
);
printTable(`start-up, ${runs} alternating runs each (ms)`, results);

const median = (row: string) => results[row]!.median;
console.log('\nratios of medians (goal: <= 1.0x, <= 1.1x for the 5,000-module app)');
for (const minor of pinned) {
  console.log(`  hello ${minor} / ${reference} hw.py: ${(median(helloRow(minor)) / median(`hello, ${reference}`)).toFixed(2)}x`);
}
console.log(`  hello ${python} glibc / ${reference} hw.py: ${(median(`hello, pybin ${python} glibc`) / median(`hello, ${reference}`)).toFixed(2)}x`);
console.log(`  5,000-module app / hello ${python}: ${(median(`5,000-module app, pybin ${python}`) / median(helloRow(python))).toFixed(2)}x`);
console.log(
  `  realistic app / its venv (${real.version}): ${(median(`realistic app, pybin ${referenceMinor}`) / median(`realistic app, venv of ${reference} -I`)).toFixed(2)}x`,
);

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
