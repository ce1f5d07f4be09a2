import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { testToolchain } from '../test/support/toolchain.js';

export function benchArgs() {
  const { values } = parseArgs({
    options: {
      python: { type: 'string', default: '3.13' },
      runs: { type: 'string', default: '30' },
      // A real interpreter binary to compare with (never a shim such as pyenv's python3, ~300 ms a call).
      reference: { type: 'string', default: '/usr/bin/python3' },
      // bench/speed.ts: an older toolchain's launcher to compare with, and only the default allocator.
      baseline: { type: 'string' },
    },
  });
  return { python: values.python!, runs: Number(values.runs), reference: values.reference!, baseline: values.baseline };
}

export const toolchainFor = testToolchain;

export function scratchDir(name: string): string {
  return mkdtempSync(join(tmpdir(), `pybin-bench-${name}-`));
}

export function writeScript(dir: string, name: string, source: string): string {
  const path = join(dir, name);
  writeFileSync(path, source);
  return path;
}

/** Wall time of one run, in ms; throws if the command fails. */
export function timeRun(argv: string[], env: NodeJS.ProcessEnv = process.env): number {
  const [command, ...args] = argv;
  const started = process.hrtime.bigint();
  const result = spawnSync(command!, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`${argv.join(' ')} failed: ${result.stderr}`);
  return elapsed;
}

export function stats(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
  return { median, mean, min: sorted[0]!, max: sorted.at(-1)! };
}

/** Run the commands in alternation (A B C A B C ...), so drift hits them all alike. */
export function alternate(commands: Record<string, { argv: string[]; env?: NodeJS.ProcessEnv }>, runs: number) {
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
  for (const { argv, env } of Object.values(commands)) timeRun(argv, env); // warm the page cache
  for (let i = 0; i < runs; i++) {
    for (const [name, { argv, env }] of Object.entries(commands)) samples[name]!.push(timeRun(argv, env));
  }
  return Object.fromEntries(Object.entries(samples).map(([name, s]) => [name, stats(s)]));
}

export function printTable(title: string, rows: Record<string, Record<string, number | string>>) {
  console.log(`\n${title}`);
  console.table(
    Object.fromEntries(
      Object.entries(rows).map(([name, row]) => [
        name,
        Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'number' ? Number(v.toFixed(2)) : v])),
      ]),
    ),
  );
}
