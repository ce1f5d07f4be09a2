import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { test } from 'node:test';
import { packageRoot } from '../../src/plumbing/package-root.js';
import { listFiles } from '../../src/plumbing/tree.js';

/**
 * Data flows one way: options -> toolchain -> bundle -> publish, with
 * plumbing below all of them. A module may import plumbing, its own room and
 * lower rooms; plumbing imports only plumbing. What the runner lends the
 * Action (runner/: build tools, caches, outputs) and the options parsed at
 * the edge (options/) stand side by side above publish, neither importing the
 * other; the two faces (cli.ts, main.ts) and the pipeline sit on top.
 */
const RANK: Record<string, number> = { plumbing: 0, toolchain: 1, bundle: 2, publish: 3, runner: 4, options: 4 };
const TOP = 5;

const src = join(packageRoot(), 'src');
const sources = listFiles(src).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'));
const texts = new Map(sources.map((file) => [file, readFileSync(join(src, file), 'utf8')]));

/** Each source file's imports of other source files, as paths relative to src/. */
const imports = new Map(
  sources.map((file) => [
    file,
    [...texts.get(file)!.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)\.js'/g)].map(([, spec]) => relative(src, join(src, dirname(file), `${spec}.ts`))),
  ]),
);
const roomOf = (file: string) => {
  const first = file.split('/')[0]!;
  return first in RANK ? first : '(top)';
};
const rankOf = (file: string) => RANK[roomOf(file)] ?? TOP;

test('no room imports a later one or a sibling of its rank, and plumbing imports no room', () => {
  const wrong: string[] = [];
  for (const [file, targets] of imports) {
    for (const target of targets) {
      const sameRoom = roomOf(target) === roomOf(file);
      const allowed = sameRoom || rankOf(target) < rankOf(file);
      if (!allowed || (rankOf(file) === 0 && rankOf(target) !== 0)) wrong.push(`${file} imports ${target}`);
    }
  }
  assert.deepEqual(wrong, []);
});

test('no import circle', () => {
  const circles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const visit = (file: string, path: string[]) => {
    if (state.get(file) === 'done') return;
    if (state.get(file) === 'open') return void circles.push([...path.slice(path.indexOf(file)), file].join(' -> '));
    state.set(file, 'open');
    for (const target of imports.get(file) ?? []) visit(target, [...path, file]);
    state.set(file, 'done');
  };
  for (const file of sources) visit(file, []);
  assert.deepEqual(circles, []);
});

test('what a GitHub runner lends stays in runner/ and publish/, used by the Action\'s face alone', () => {
  const actionsImports = sources.filter((f) => /from '@actions\//.test(texts.get(f)!)).filter((f) => !['runner', 'publish'].includes(roomOf(f)) && f !== 'main.ts');
  assert.deepEqual(actionsImports, [], '@actions/* imported outside runner/, publish/ and main.ts');
  const runnerUsers = [...imports].filter(([file, targets]) => roomOf(file) !== 'runner' && targets.some((t) => roomOf(t) === 'runner')).map(([f]) => f);
  assert.deepEqual(runnerUsers, ['main.ts']);
  const packageManagers = sources.filter((f) => roomOf(f) !== 'runner' && /'apt-get'|'dpkg'/.test(texts.get(f)!));
  assert.deepEqual(packageManagers, [], 'only runner/ runs a package manager');
});

test('every child process starts in plumbing/exec.ts, whose environment filter it cannot skip', () => {
  const spawners = sources.filter((f) => /from 'node:child_process'/.test(texts.get(f)!));
  assert.deepEqual(spawners, ['plumbing/exec.ts']);
});
