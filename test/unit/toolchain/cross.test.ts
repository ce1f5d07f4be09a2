import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { PybinError } from '../../../src/plumbing/errors.js';
import { detectCompiler } from '../../../src/toolchain/compiler.js';
import { buildArch, crossBuildFor, isNative, targetRunner, writeConfigSite } from '../../../src/toolchain/cross.js';
import { inittabModules } from '../../../src/toolchain/assemble.js';
import { targetByTriple } from '../../../src/toolchain/targets.js';

const aarch64 = targetByTriple('aarch64-linux-musl');
const x86 = targetByTriple('x86_64-linux-musl');

test('native on its own architecture, cross-built from x86_64, refused elsewhere', () => {
  assert.equal(buildArch('x64'), 'x86_64');
  assert.equal(buildArch('arm64'), 'aarch64');
  assert.ok(isNative(aarch64, 'aarch64'));
  assert.equal(crossBuildFor(aarch64, 'aarch64'), undefined, 'an ARM host uses its own musl-gcc');
  assert.equal(crossBuildFor(aarch64, 'x86_64')?.compiler.command, 'aarch64-linux-musl-gcc');
  assert.throws(() => crossBuildFor(x86, 'aarch64'), (e: unknown) => e instanceof PybinError && /cannot be built on aarch64/.test(e.message));
  assert.throws(() => crossBuildFor(targetByTriple('aarch64-linux-gnu'), 'x86_64'), /glibc .*ARM runner \(ubuntu-24\.04-arm\)/);
});

test('the CONFIG_SITE holds the answers configure cannot test when cross compiling', () => {
  const file = writeConfigSite(join(mkdtempSync(join(tmpdir(), 'pybin-site-')), 'config.site'), aarch64.cross!);
  const text = readFileSync(file, 'utf8');
  for (const line of ['ac_cv_file__dev_ptmx=yes', 'ac_cv_buggy_getaddrinfo=no', 'ac_cv_computed_gotos=yes', 'ac_cv_wchar_t_signed=no', 'ac_cv_working_tzset=yes', 'ac_cv_aligned_required=no']) {
    assert.ok(text.split('\n').includes(line), line);
  }
});

test('target programs run directly when native, through the emulator when it is installed, else the reason', (t) => {
  assert.deepEqual(targetRunner(x86, 'x86_64'), { argv: [] });
  assert.deepEqual(targetRunner(aarch64, 'aarch64', '/nonexistent'), { argv: [] });
  // Only the PATH given is searched: an empty dir has no emulator, one holding an executable qemu-aarch64-static has.
  const empty = mkdtempSync(join(tmpdir(), 'pybin-path-'));
  t.after(() => rmSync(empty, { recursive: true, force: true }));
  const missing = targetRunner(aarch64, 'x86_64', empty);
  assert.ok('missing' in missing, `no emulator in ${empty}: ${JSON.stringify(missing)}`);
  assert.match(missing.missing, /qemu-aarch64-static is not installed \(`sudo apt-get install qemu-user-static`/);
  const bin = mkdtempSync(join(tmpdir(), 'pybin-path-'));
  t.after(() => rmSync(bin, { recursive: true, force: true }));
  writeFileSync(join(bin, 'qemu-aarch64-static'), '#!/bin/sh\n', { mode: 0o755 });
  assert.deepEqual(targetRunner(aarch64, 'x86_64', `${empty}:${bin}`), { argv: [join(bin, 'qemu-aarch64-static')] });
});

test('a missing cross compiler names the Debian packages', async () => {
  await assert.rejects(
    detectCompiler(aarch64, { PATH: mkdtempSync(join(tmpdir(), 'pybin-empty-')) }, aarch64.cross),
    (e: unknown) =>
      e instanceof PybinError && e.input === 'compiler' &&
      /no aarch64 musl cross compiler found \(aarch64-linux-musl-gcc is not on PATH\).*gcc-aarch64-linux-gnu.*musl-dev:arm64/.test(e.message),
  );
});

test('the built-in modules are read from config.c when the launcher cannot run', () => {
  const configC = 'struct _inittab _PyImport_Inittab[] = {\n    {"_ssl", PyInit__ssl},\n    {"marshal", PyMarshal_Init},\n    {"sys", NULL},\n    {0, 0}\n};\n';
  assert.deepEqual(inittabModules(configC), ['_ssl', 'marshal', 'sys']);
});
