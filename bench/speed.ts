// Interpreter speed on small workloads against the system python3, for each
// allocator we could ship (builds a toolchain per allocator: slow the first
// time); with --baseline LAUNCHER (an older toolchain's bin/pybin-launcher),
// the recipe's own allocator only, against that launcher.
// Usage: node --import tsx bench/speed.ts [--python 3.13] [--runs 30] [--baseline PATH]
import { join } from 'node:path';
import { createProgress } from '../src/plumbing/progress.js';
import type { Allocator } from '../src/toolchain/recipes.js';
import { selectPython } from '../src/toolchain/versions.js';
import { ensureToolchain } from '../src/toolchain/toolchain.js';
import { testSources } from '../test/support/toolchain.js';
import { alternate, benchArgs, printTable, scratchDir, writeScript } from './common.js';

const { python, runs, reference, baseline } = benchArgs();
const allocators: (Allocator | undefined)[] = baseline
  ? [undefined]
  : python === '3.11' || python === '3.12' ? ['pymalloc', 'malloc'] : ['pymalloc', 'malloc', 'mimalloc'];
const dir = scratchDir('speed');
const workloads = {
  json: 'import json\nd = {"k%d" % i: [i, str(i), {"x": i * 1.5}] for i in range(2000)}\nfor _ in range(60):\n    json.loads(json.dumps(d))\n',
  re: 'import re\nt = "the quick brown fox jumps over the lazy dog 12345 " * 2000\np = re.compile(r"(\\w+) (\\d+)|o\\w")\nfor _ in range(40):\n    p.findall(t)\n',
  hashlib: 'import hashlib\nb = b"x" * (1 << 20)\nfor _ in range(150):\n    hashlib.sha256(b).digest(); hashlib.md5(b).digest()\n',
  loop: 'def f(n):\n    s = 0\n    for i in range(n):\n        s += i * i % 7\n    return s\nf(3_000_000)\n',
  sqlite:
    'import sqlite3\ndb = sqlite3.connect(":memory:")\ndb.execute("create table t (id integer primary key, name text, score real)")\n' +
    'db.executemany("insert into t values (?, ?, ?)", ((i, f"n{i % 997}", i * 0.5) for i in range(100_000)))\n' +
    'db.execute("create index t_name on t (name)")\nfor i in range(40):\n' +
    '    db.execute("select name, count(*), avg(score) from t where name like ? group by name", (f"n{i}%",)).fetchall()\n',
  objects: 'class P:\n    def __init__(self, x): self.x = x\nfor _ in range(20):\n    l = [P(i) for i in range(100_000)]\n    d = {i: str(i) for i in range(100_000)}\n',
};
const toolchains = [];
for (const allocator of allocators) {
  toolchains.push({ allocator, toolchain: await ensureToolchain({ python: selectPython(python), allocator, sources: testSources(), progress: createProgress() }) });
}
const rows: Record<string, Record<string, number>> = {};
for (const [name, source] of Object.entries(workloads)) {
  const script = writeScript(dir, `${name}.py`, source);
  const commands: Record<string, { argv: string[]; env?: NodeJS.ProcessEnv }> = { [reference]: { argv: [reference, '-I', script] } };
  if (baseline) commands[`baseline ${baseline}`] = { argv: [baseline, '-I', script], env: { PYBIN_INTERPRETER: '1' } };
  for (const { toolchain } of toolchains) {
    commands[`pybin ${toolchain.metadata.python} ${toolchain.metadata.allocator}`] = {
      argv: [join(toolchain.dir, 'bin', 'pybin-launcher'), '-I', script],
      env: { PYBIN_INTERPRETER: '1' },
    };
  }
  const results = alternate(commands, runs);
  rows[name] = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, v.median]));
}
printTable(`median ms per workload, ${runs} alternating runs each (system python3 is ${process.env.PYBIN_BENCH_SYSTEM ?? 'whatever python3 is on PATH'})`, rows);
