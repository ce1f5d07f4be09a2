import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveEntry } from '../../../src/bundle/entry.js';

const none = () => false;
const has = (...files: string[]) => (p: string) => files.includes(p);

test('module:function, a [project.scripts] name, or a script path', () => {
  assert.deepEqual(resolveEntry('pkg.cli:main', {}, none), { module: 'pkg.cli', attr: 'main' });
  assert.deepEqual(resolveEntry('tool', { tool: 'pkg.cli:run [extra]' }, none), { module: 'pkg.cli', attr: 'run' });
  assert.deepEqual(resolveEntry('bin/tool.py', {}, has('bin/tool.py')), { script: 'bin/tool.py' });
  assert.deepEqual(resolveEntry('pkg.cli:App.main', {}, none), { module: 'pkg.cli', attr: 'App.main' });
});

test('defaults: the only script entry, else __main__.py', () => {
  assert.deepEqual(resolveEntry(undefined, { one: 'a.b:c' }, has('__main__.py')), { module: 'a.b', attr: 'c' });
  assert.deepEqual(resolveEntry(undefined, {}, has('__main__.py')), { script: '__main__.py' });
  assert.deepEqual(resolveEntry(undefined, { a: 'x:y', b: 'x:z' }, has('__main__.py')), { script: '__main__.py' });
});

test('nothing found: the message lists what was found and how to choose', () => {
  assert.throws(() => resolveEntry(undefined, {}, none), /no entry point found: no \[project\.scripts\].*no __main__\.py.*--entry/);
  assert.throws(() => resolveEntry(undefined, { a: 'x:y', b: 'x:z' }, none), /several entries \(a, b\): choose one with --entry NAME/);
});

test('bad entry syntax and missing scripts are clear errors', () => {
  assert.throws(() => resolveEntry('pkg.cli:', {}, none), /"pkg\.cli:" is not a valid entry point: expected module:function/);
  assert.throws(() => resolveEntry('a:b:c', {}, none), /not a valid entry point/);
  assert.throws(() => resolveEntry('9pkg:main', {}, none), /not a valid entry point/);
  assert.throws(() => resolveEntry('tool.py', {}, none), /--entry script "tool\.py" does not exist/);
  assert.throws(() => resolveEntry('../x.py', {}, has('../x.py')), /must be a path inside the app dir/);
  assert.throws(() => resolveEntry('serve', { run: 'a:b' }, none), /"serve" is not a \[project\.scripts\] name \(there are: run\)/);
});
