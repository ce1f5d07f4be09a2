// pybin build figures: binary size and start time for the fixture CLI (a) and
// a stdlib-heavy app, against the same interpreter on an on-disk tree and the
// system python3; and the bundling time of an app of ~5,000 files.
import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../src/plumbing/package-root.js';
import { CLI } from '../test/support/cli.js';
import { testSourcesFile } from '../test/support/toolchain.js';
import { alternate, benchArgs, printTable, scratchDir, toolchainFor } from './common.js';

const { python, runs, reference } = benchArgs();
const toolchain = await toolchainFor(python);
const launcher = join(toolchain.dir, 'bin', 'pybin-launcher');
const out = scratchDir('build-out');

function pybinBuild(app: string, name: string): { binary: string; seconds: number } {
  const started = Date.now();
  const stdout = execFileSync(process.execPath, [CLI, 'build', app, '--name', name, '--out', out, '--python', python, '--sources', testSourcesFile()], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return { binary: stdout.trim().split('\n').at(-1)!, seconds: (Date.now() - started) / 1000 };
}

const heavy = scratchDir('heavy');
writeFileSync(
  join(heavy, '__main__.py'),
  'import argparse, asyncio, json, sqlite3\nasync def main():\n    return json.dumps(sqlite3.connect(":memory:").execute("select 1").fetchone())\nprint(asyncio.run(main()))\n',
);
const apps = { '(a) cli': join(packageRoot(), 'test', 'fixtures', 'apps', 'cli'), 'json+argparse+asyncio+sqlite3': heavy };
const sizes: Record<string, Record<string, number>> = {};
for (const [label, app] of Object.entries(apps)) {
  const { binary } = pybinBuild(app, label.replace(/\W+/g, '-').replace(/^-+|-+$/g, ''));
  sizes[label] = { 'binary MB': statSync(binary).size / 1e6, 'launcher MB': statSync(launcher).size / 1e6 };
  const results = alternate(
    {
      'pybin binary': { argv: [binary] },
      'same interpreter, on-disk tree': { argv: [launcher, '-I', join(app, '__main__.py')] },
      [reference]: { argv: [reference, '-I', join(app, '__main__.py')] },
    },
    runs,
  );
  printTable(`start, ${label}, CPython ${toolchain.metadata.python}, ${runs} alternating runs (ms)`, results);
  console.log(`binary / on-disk (median): ${(results['pybin binary']!.median / results['same interpreter, on-disk tree']!.median).toFixed(2)}x`);
}
printTable('sizes', sizes);

// An app of ~5,000 files: 50 packages of 99 modules and a data file each.
const big = scratchDir('big');
for (let p = 0; p < 50; p++) {
  const pkg = join(big, `pkg${p}`);
  mkdirSync(pkg);
  writeFileSync(join(pkg, '__init__.py'), '');
  for (let m = 0; m < 98; m++) writeFileSync(join(pkg, `mod${m}.py`), `def f${m}(x):\n    return x * ${m}\n`);
  writeFileSync(join(pkg, 'data.json'), JSON.stringify({ p }));
}
writeFileSync(join(big, '__main__.py'), 'import pkg0.mod1\nprint(pkg0.mod1.f1(2))\n');
const { seconds } = pybinBuild(big, 'big');
printTable('bundling an app of 5,001 files (toolchain cached)', { big: { seconds } });
