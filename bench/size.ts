// Sizes of the hello-world binary `pybin build` makes, for every pinned
// CPython (static target) and the glibc target: the launcher's and the ZIP's
// share, then the launcher's biggest sections.
// Usage: node --import tsx bench/size.ts [--python 3.13]
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { buildScript } from '../test/support/app.js';
import { TEST_PYTHONS } from '../test/support/toolchain.js';
import { benchArgs, printTable, toolchainFor } from './common.js';

const { python } = benchArgs();
const mb = (bytes: number) => bytes / 1e6;
const hello = 'print("hello")\n';
const pinned = TEST_PYTHONS;
const builds = [
  ...pinned.map((minor) => ({ label: `${minor} static`, minor, args: [] as string[] })),
  { label: `${python} glibc`, minor: python, args: ['--target', 'x86_64-linux-gnu'] },
];

const rows: Record<string, Record<string, number | string>> = {};
let staticHello: string | undefined;
for (const { label, minor, args } of builds) {
  const toolchain = await toolchainFor(minor, args.length ? 'x86_64-linux-gnu' : undefined);
  const binary = await buildScript(minor, hello, `hello-${label.replace(' ', '-')}`, args);
  const launcher = statSync(join(toolchain.dir, toolchain.metadata.launcher)).size;
  const total = statSync(binary).size;
  if (minor === python && !args.length) staticHello = binary;
  rows[`hello, ${label}`] = {
    'binary MB': mb(total),
    'launcher MB': mb(launcher),
    'ZIP MB': mb(total - launcher),
    'launcher share': `${((100 * launcher) / total).toFixed(0)}%`,
  };
}
printTable('hello world binary', rows);

// The launcher is stripped: its sections say what dominates.
const toolchain = await toolchainFor(python);
console.log(spawnSync('size', ['-A', join(toolchain.dir, toolchain.metadata.launcher)], { encoding: 'utf8' }).stdout);

// The ZIP's biggest parts (deflated bytes by top-level name), read by the binary's own zipfile.
const parts = `
import collections, zipfile, sys
sizes = collections.Counter()
for entry in zipfile.ZipFile(sys.executable).infolist():
    sizes[entry.filename.split("/")[0]] += entry.compress_size
for name, size in sizes.most_common(15):
    print(f"{size / 1e3:8.0f} kB  {name}")
`;
if (staticHello) {
  console.log(`the ZIP of hello, ${python} static: its 15 biggest top-level entries, deflated`);
  console.log(spawnSync(staticHello, ['-c', parts], { encoding: 'utf8', env: { PYBIN_INTERPRETER: '1' } }).stdout);
}
