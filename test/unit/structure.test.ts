import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { test } from 'node:test';
import { packageRoot } from '../../src/plumbing/package-root.js';
import { listFiles } from '../../src/plumbing/tree.js';

/**
 * Data flows one way: options -> toolchain -> bundle -> publish, with
 * plumbing below all of them. A module may import plumbing, its own stage and
 * earlier stages; plumbing imports only plumbing. The two faces (cli.ts,
 * main.ts) and their options and pipeline sit on top.
 */
const RANK: Record<string, number> = { plumbing: 0, toolchain: 1, bundle: 2, publish: 3 };
const TOP = 4;

test('no stage imports a later stage, and plumbing imports no stage', () => {
  const src = join(packageRoot(), 'src');
  const stageOf = (file: string) => {
    const first = file.split('/')[0]!;
    return first in RANK ? first : '(top)';
  };
  const rankOf = (file: string) => RANK[stageOf(file)] ?? TOP;
  const wrong: string[] = [];
  for (const file of listFiles(src).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))) {
    const text = readFileSync(join(src, file), 'utf8');
    for (const [, spec] of text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)\.js'/g)) {
      const target = relative(src, join(src, dirname(file), `${spec}.ts`));
      const allowed = rankOf(target) === 0 || rankOf(target) <= rankOf(file) && (rankOf(file) === TOP || stageOf(target) !== '(top)');
      if (!allowed || (rankOf(file) === 0 && rankOf(target) !== 0)) wrong.push(`${file} imports ${target}`);
    }
  }
  assert.deepEqual(wrong, []);
});
