#!/usr/bin/env node
// Runs the test files under the given dirs (default: test/) with node's test
// runner and tsx, one file at a time: the end-to-end tests build interpreters
// and share them through the cache, so running files side by side on a
// 2-core machine only makes every one of them slower.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const roots = process.argv.slice(2).length ? process.argv.slice(2) : ['test'];
const files = [];
const walk = (path) => {
  if (statSync(path).isDirectory()) readdirSync(path).sort().forEach((name) => walk(join(path, name)));
  else if (path.endsWith('.test.ts')) files.push(path);
};
roots.forEach(walk);
// Fast unit tests first, so their failures show before the long builds.
files.sort((a, b) => Number(a.includes('/e2e/')) - Number(b.includes('/e2e/')) || a.localeCompare(b));

// The end-to-end tests run dist/ (the CLI and the Action as users run them):
// bundle it from src/ first, so that they never test a stale bundle.
const bundled = spawnSync(process.execPath, ['scripts/bundle.mjs'], { stdio: 'inherit' });
if (bundled.status !== 0) process.exit(bundled.status ?? 1);

const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
