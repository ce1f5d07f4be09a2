// Hello-world start time: the binary `pybin build` makes (stdlib in its ZIP),
// for the static target and the glibc one, the same launcher on its on-disk
// stdlib, and a reference interpreter (--reference, default the
// distribution's /usr/bin/python3); runs alternate.
// Usage: node --import tsx bench/startup.ts [--python 3.13] [--runs 30] [--reference /usr/bin/python3.11]
import { join } from 'node:path';
import { buildScript } from '../test/support/app.js';
import { alternate, benchArgs, printTable, scratchDir, toolchainFor, writeScript } from './common.js';

const { python, runs, reference } = benchArgs();
const toolchain = await toolchainFor(python);
const hello = 'print("hello")\n';
const dir = scratchDir('startup');
const script = writeScript(dir, 'hello.py', hello);
const binary = await buildScript(python, hello, 'hello');
const glibcBinary = await buildScript(python, hello, 'hello-gnu', ['--target', 'x86_64-linux-gnu']);
const results = alternate(
  {
    'fused binary (ZIP stdlib)': { argv: [binary] },
    'fused binary, glibc target': { argv: [glibcBinary] },
    'launcher, on-disk stdlib': { argv: [join(toolchain.dir, 'bin', 'pybin-launcher'), '-I', script] },
    [`${reference} -I`]: { argv: [reference, '-I', script] },
    [`${reference} -I -S`]: { argv: [reference, '-I', '-S', script] },
  },
  runs,
);
printTable(`hello world start, CPython ${toolchain.metadata.python}, ${runs} alternating runs each (ms)`, results);
const ratio = results['fused binary (ZIP stdlib)']!.median / results['launcher, on-disk stdlib']!.median;
console.log(`fused / on-disk (median): ${ratio.toFixed(2)}x`);
console.log(`fused / ${reference} -I (median): ${(results['fused binary (ZIP stdlib)']!.median / results[`${reference} -I`]!.median).toFixed(2)}x`);
