// Sizes: the launcher, and the stdlib as a ZIP stored and deflated.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { benchArgs, printTable, scratchDir, toolchainFor } from './common.js';

const { python } = benchArgs();
const toolchain = await toolchainFor(python);
const mb = (bytes: number) => bytes / 1e6;
const dir = scratchDir('size');
const zipWith = (method: string) => {
  const out = join(dir, `stdlib-${method}.zip`);
  const script = `import os, sys, zipfile
root, out = sys.argv[1:]
with zipfile.ZipFile(out, "w", getattr(zipfile, "ZIP_" + ${JSON.stringify(method.toUpperCase())})) as z:
    for base, dirs, files in os.walk(root):
        for f in sorted(files):
            z.write(os.path.join(base, f), os.path.relpath(os.path.join(base, f), root))`;
  spawnSync(join(toolchain.dir, 'bin', 'python3'), ['-c', script, join(toolchain.dir, toolchain.metadata.stdlib), out]);
  return statSync(out).size;
};
const du = (path: string): number =>
  readdirSync(path, { withFileTypes: true }).reduce(
    (sum, e) => sum + (e.isDirectory() ? du(join(path, e.name)) : statSync(join(path, e.name)).size),
    0,
  );
const launcher = statSync(join(toolchain.dir, toolchain.metadata.launcher)).size;
const rows: Record<string, Record<string, number>> = {
  'launcher (stripped, static)': { MB: mb(launcher) },
  'stdlib .pyc on disk': { MB: mb(du(join(toolchain.dir, toolchain.metadata.stdlib))) },
  'stdlib ZIP, stored': { MB: mb(zipWith('stored')) },
  'stdlib ZIP, deflated': { MB: mb(zipWith('deflated')) },
};
rows['launcher + deflated stdlib'] = { MB: rows['launcher (stripped, static)']!.MB! + rows['stdlib ZIP, deflated']!.MB! };
printTable(`sizes, CPython ${toolchain.metadata.python}`, rows);
// What dominates the launcher: the biggest contributors by symbol size are not
// visible in a stripped binary, so report the section sizes.
console.log(spawnSync('size', ['-A', join(toolchain.dir, toolchain.metadata.launcher)], { encoding: 'utf8' }).stdout);
