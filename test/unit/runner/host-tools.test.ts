import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hostToolsFor, planHostTools, type HostFacts } from '../../../src/runner/host-tools.js';
import { hostTarget, targetByTriple } from '../../../src/toolchain/targets.js';

const host = hostTarget('musl', 'linux', 'x64');
const aarch64 = targetByTriple('aarch64-linux-musl');
const facts = (missing: string[], more: Partial<HostFacts> = {}): HostFacts => ({
  present: (check) => !missing.includes(check),
  foreignArchitectures: [],
  root: false,
  sudo: true,
  apt: true,
  ...more,
});

test('nothing to do when every tool is there', () => {
  assert.deepEqual(planHostTools(hostToolsFor([host], host, true, 'x86_64'), facts([])), { action: 'none' });
});

test('a missing musl-gcc is installed with sudo apt-get, after an update', () => {
  const plan = planHostTools(hostToolsFor([host], host, true, 'x86_64'), facts(['musl-gcc', 'tclsh']));
  assert.equal(plan.action, 'install');
  assert.ok(plan.action === 'install');
  assert.deepEqual(plan.packages, ['tcl', 'musl-tools']);
  assert.deepEqual(plan.commands[0], ['sudo', 'apt-get', 'update', '-qq']);
  assert.deepEqual(plan.commands[1]!.slice(-2), ['tcl', 'musl-tools']);
  assert.deepEqual(plan.undo, []);
});

test('a cross build adds the arm64 architecture once, needs the host musl too, and runs as root without sudo', () => {
  const needed = hostToolsFor([aarch64], host, true, 'x86_64');
  assert.deepEqual(needed.architectures, ['arm64']);
  const missing = ['musl-gcc', 'aarch64-linux-musl-gcc', 'aarch64-linux-gnu-gcc', 'qemu-aarch64-static'];
  const plan = planHostTools(needed, facts(missing, { root: true, sudo: false }));
  assert.ok(plan.action === 'install');
  assert.deepEqual(plan.packages, ['musl-tools', 'musl-dev:arm64', 'gcc-aarch64-linux-gnu', 'qemu-user-static']);
  assert.deepEqual(plan.commands[0], ['dpkg', '--add-architecture', 'arm64']);
  assert.deepEqual(plan.undo, [['dpkg', '--remove-architecture', 'arm64']]);
  const already = planHostTools(needed, facts(missing, { foreignArchitectures: ['arm64'] }));
  assert.ok(already.action === 'install');
  assert.equal(already.commands[0]![1], 'apt-get', 'no second --add-architecture');
});

test('with prebuilt interpreters only, a cross build needs just the emulator', () => {
  const needed = hostToolsFor([aarch64], host, false, 'x86_64');
  assert.deepEqual(needed.tools.map((t) => t.package), ['qemu-user-static']);
  assert.deepEqual(hostToolsFor([host], host, false, 'x86_64').tools, []);
});

test('without sudo or apt-get the plan refuses, naming the packages and the command to run', () => {
  for (const more of [{ sudo: false }, { apt: false }]) {
    const plan = planHostTools(hostToolsFor([aarch64], host, true, 'x86_64'), facts(['aarch64-linux-musl-gcc', 'musl-gcc'], more));
    assert.ok(plan.action === 'refuse');
    assert.deepEqual(plan.packages, ['musl-tools', 'musl-dev:arm64']);
    assert.match(plan.message, /missing: musl-tools, musl-dev:arm64/);
    assert.match(plan.message, /sudo dpkg --add-architecture arm64 && sudo apt-get update && sudo apt-get install musl-tools musl-dev:arm64/);
  }
});

test('a glibc aarch64 cross build is refused with the reason, before any install', () => {
  assert.throws(() => hostToolsFor([targetByTriple('aarch64-linux-gnu')], host, true, 'x86_64'), /cannot be cross-built on x86_64 yet: .*ubuntu-24\.04-arm/);
});
