import assert from 'node:assert/strict';
import { test } from 'node:test';
import { glibcTargetFor, parseManylinux, parseTargetRequest, possibleTargets } from '../../../src/bundle/target.js';
import { PybinError } from '../../../src/plumbing/errors.js';
import { hostTarget, targetByTriple } from '../../../src/toolchain/targets.js';

const host = hostTarget('musl', 'linux', 'x64');

test('auto (or nothing) starts from the static musl target of the host', () => {
  for (const value of [undefined, '', 'auto']) {
    const request = parseTargetRequest(value, undefined, host);
    assert.equal(request.auto, true);
    assert.equal(request.initial.triple, 'x86_64-linux-musl');
  }
});

test('a triple is taken as it is, with a manylinux cap for glibc', () => {
  const request = parseTargetRequest('x86_64-linux-gnu', '2_28', host);
  assert.deepEqual([request.auto, request.initial.triple, request.glibcCap], [false, 'x86_64-linux-gnu', '2.28']);
});

test('unknown triples, other architectures and a cap on musl are refused, naming the input', () => {
  const refused = (fn: () => unknown, input: string, pattern: RegExp) =>
    assert.throws(fn, (error: unknown) => error instanceof PybinError && error.input === input && pattern.test(error.message));
  refused(() => parseTargetRequest('x86_64-windows', undefined, host), 'target', /must be auto or one of x86_64-linux-musl, .*got "x86_64-windows"/);
  refused(() => parseTargetRequest('aarch64-linux-gnu', undefined, host), 'target', /aarch64-linux-gnu cannot be cross-built on x86_64 yet: .*ARM runner/);
  refused(() => parseTargetRequest('x86_64-linux-musl', undefined, hostTarget('musl', 'linux', 'arm64')), 'target', /cannot be built on aarch64/);
  refused(() => parseTargetRequest('x86_64-linux-musl', '2_28', host), 'manylinux', /glibc targets only/);
  refused(() => parseTargetRequest('auto', 'latest', host), 'manylinux', /like 2_28/);
});

test('aarch64-linux-musl is cross-built from an x86_64 host', () => {
  const request = parseTargetRequest('aarch64-linux-musl', undefined, host);
  assert.deepEqual([request.auto, request.initial.triple, request.initial.arch], [false, 'aarch64-linux-musl', 'aarch64']);
});

test('manylinux caps are read in every spelling pip and auditwheel use', () => {
  assert.equal(parseManylinux('2_28'), '2.28');
  assert.equal(parseManylinux('2.17'), '2.17');
  assert.equal(parseManylinux('manylinux_2_34'), '2.34');
  assert.equal(parseManylinux('manylinux2014'), '2.17');
  assert.equal(parseManylinux('manylinux1'), '2.5');
  assert.throws(() => parseManylinux('3_1'), PybinError);
});

test('the glibc stand-in of a static target has its architecture', () => {
  assert.equal(glibcTargetFor(host).triple, 'x86_64-linux-gnu');
  assert.equal(glibcTargetFor(targetByTriple('aarch64-linux-musl')).triple, 'aarch64-linux-gnu');
});

test('the targets a build may end on: auto may move from static to glibc, a triple stays itself', () => {
  const triples = (value: string) => possibleTargets(parseTargetRequest(value, undefined, host)).map((t) => t.triple);
  assert.deepEqual(triples('auto'), ['x86_64-linux-musl', 'x86_64-linux-gnu']);
  assert.deepEqual(triples('aarch64-linux-musl'), ['aarch64-linux-musl']);
  assert.deepEqual(triples('x86_64-linux-gnu'), ['x86_64-linux-gnu']);
});
