import assert from 'node:assert/strict';
import { test } from 'node:test';
import { wheelPolicy } from '../../../src/bundle/wheel-tags.js';
import { targetByTriple } from '../../../src/toolchain/targets.js';

test('a static target takes musllinux first, then any Linux wheel as a carrier, pure wheels ranked first', () => {
  const policy = wheelPolicy(targetByTriple('x86_64-linux-musl'));
  assert.equal(policy.pureFirst, true);
  assert.deepEqual(policy.platforms.slice(0, 4), ['musllinux_1_2_x86_64', 'musllinux_1_1_x86_64', 'musllinux_1_0_x86_64', 'linux_x86_64']);
  assert.ok(policy.platforms.includes('manylinux_2_34_x86_64'));
});

test('a glibc target takes manylinux wheels up to the cap and wheels built here, never musllinux', () => {
  const policy = wheelPolicy(targetByTriple('x86_64-linux-gnu'), '2.28');
  assert.equal(policy.pureFirst, false);
  assert.equal(policy.platforms[0], 'manylinux_2_28_x86_64');
  assert.ok(!policy.platforms.some((p) => p.startsWith('musllinux') || p === 'manylinux_2_29_x86_64'));
  assert.deepEqual(policy.platforms.slice(-4), ['manylinux2014_x86_64', 'manylinux2010_x86_64', 'manylinux1_x86_64', 'linux_x86_64']);
  assert.ok(!wheelPolicy(targetByTriple('x86_64-linux-gnu'), '2.12').platforms.includes('manylinux2014_x86_64'));
  assert.ok(wheelPolicy(targetByTriple('x86_64-linux-gnu')).platforms.includes('manylinux_2_60_x86_64'));
});
