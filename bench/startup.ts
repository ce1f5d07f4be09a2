// Hello-world start time: the fused binary (stdlib in its ZIP), the same
// launcher on its on-disk stdlib, and the system python3; runs alternate.
import { join } from 'node:path';
import { buildScript } from '../test/support/app.js';
import { alternate, benchArgs, printTable, scratchDir, toolchainFor, writeScript } from './common.js';

const { python, runs } = benchArgs();
const toolchain = await toolchainFor(python);
const hello = 'print("hello")\n';
const dir = scratchDir('startup');
const script = writeScript(dir, 'hello.py', hello);
const binary = await buildScript(python, hello, 'hello');
const results = alternate(
  {
    'fused binary (ZIP stdlib)': { argv: [binary] },
    'launcher, on-disk stdlib': { argv: [join(toolchain.dir, 'bin', 'pybin-launcher'), '-I', script] },
    'system python3': { argv: ['python3', '-I', script] },
    'system python3 -I -S': { argv: ['python3', '-I', '-S', script] },
  },
  runs,
);
printTable(`hello world start, CPython ${toolchain.metadata.python}, ${runs} alternating runs each (ms)`, results);
const ratio = results['fused binary (ZIP stdlib)']!.median / results['launcher, on-disk stdlib']!.median;
console.log(`fused / on-disk (median): ${ratio.toFixed(2)}x`);
