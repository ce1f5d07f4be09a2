import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { packageRoot } from '../../src/plumbing/package-root.js';
import { listFiles } from '../../src/plumbing/tree.js';
import { findOnPath } from '../../src/toolchain/compiler.js';
import { buildApp } from '../support/app.js';
import { pybin, pybinBuild } from '../support/cli.js';
import { findRealPython } from '../support/real-python.js';
import { run } from '../support/run.js';
import { tempDir } from '../support/tmp.js';
import { pongServerForTests } from '../support/tls.js';
import { buildWheel } from '../support/wheel.js';
import { TEST_PYTHONS, testToolchain } from '../support/toolchain.js';
import { startManifestServer } from '../support/manifest-server.js';
import { packToolchain } from '../../src/toolchain/pack.js';
import type { ManifestEntry } from '../../src/toolchain/manifest.js';
import { CROSS_SKIP } from '../support/cross.js';

/**
 * linux-aarch64 cross-built on this x86_64 machine and run under qemu. One
 * CPython version only (the newest tested, 3.13 by default): each aarch64
 * toolchain costs a cold build of about 5 minutes, and qemu runs CPython
 * about 10x slower.
 */
const PYTHON = TEST_PYTHONS[0]!;
const TIMEOUT = 40 * 60_000;
const FIXTURES = join(packageRoot(), 'test', 'fixtures');
const TARGET = ['--target', 'aarch64-linux-musl'];
const QEMU = findOnPath('qemu-aarch64-static', process.env.PATH ?? '');
/** A child that execs the binary itself (subprocess, multiprocessing) needs the kernel to hand it to qemu. */
const BINFMT = existsSync('/proc/sys/fs/binfmt_misc/qemu-aarch64') && readFileSync('/proc/sys/fs/binfmt_misc/qemu-aarch64', 'utf8').startsWith('enabled');
const CHILD_CHECKS = ['socket_subprocess', 'multiprocessing'];
const NO_BINFMT = 'binfmt_misc has no enabled qemu-aarch64 entry, so an aarch64 child process cannot start (scripts/setup.sh registers one where it can)';
/** Every check of the probe, as its CHECKS lists them. */
const PROBE_CHECKS = [...readFileSync(join(FIXTURES, 'probe', 'probe_lib.py'), 'utf8').matchAll(/^ {4}"(\w+)": check_\w+,$/gm)].map((m) => m[1]!);

const tls = pongServerForTests();

const readelf = (flag: string, binary: string) => execFileSync('readelf', [flag, '-W', binary], { encoding: 'utf8' });

function assertStaticElf(binary: string, machine: RegExp) {
  assert.match(readelf('-h', binary), machine);
  assert.doesNotMatch(readelf('-l', binary), /INTERP/, 'no PT_INTERP');
  assert.doesNotMatch(readelf('-d', binary), /NEEDED/, 'no DT_NEEDED');
}

/** The binary on this machine: aarch64 ones through qemu, called directly (binfmt_misc need not be set up). */
function runBinary(binary: string, args: string[], env: NodeJS.ProcessEnv = { PATH: '/usr/bin:/bin' }) {
  const aarch64 = /AArch64/.test(readelf('-h', binary));
  return aarch64 ? run(QEMU!, [binary, ...args], { env, timeoutMs: 10 * 60_000 }) : run(binary, args, { env });
}

/** Every entry of a binary's ZIP: name -> [stored bytes' sha256 and CRC, size, method, time, attributes]. */
function zipEntries(binary: string): Record<string, string> {
  const python = findRealPython('3.11')?.path ?? findRealPython('3.13')?.path;
  assert.ok(python, 'a real CPython reads the ZIP');
  const script = [
    'import hashlib, json, sys, zipfile',
    'z = zipfile.ZipFile(sys.argv[1])',
    'print(json.dumps({i.filename: " ".join(map(str, [hashlib.sha256(z.read(i)).hexdigest(), i.CRC, i.compress_size, i.compress_type, i.date_time, i.external_attr])) for i in z.infolist()}))',
  ].join('\n');
  return JSON.parse(execFileSync(python, ['-I', '-c', script, binary], { encoding: 'utf8', maxBuffer: 64 << 20 })) as Record<string, string>;
}

describe(`aarch64-linux-musl, cross-built, CPython ${PYTHON}`, { timeout: TIMEOUT, skip: CROSS_SKIP }, () => {
  test('the toolchain is laid out as the x86_64 one: same metadata fields, built-in modules and components; stdlib .pyc byte-identical but for sysconfig', async () => {
    const [arm, x86] = [await testToolchain(PYTHON, 'aarch64-linux-musl'), await testToolchain(PYTHON, 'x86_64-linux-musl')];
    assert.equal(arm.metadata.target, 'aarch64-linux-musl');
    // Only the x86_64 build is profile-guided (its training would run under qemu here).
    assert.deepEqual(Object.keys(arm.metadata).sort(), Object.keys(x86.metadata).filter((k) => k !== 'profile').sort());
    assert.ok(x86.metadata.profile && !arm.metadata.profile);
    assert.deepEqual(arm.metadata.builtinModules, x86.metadata.builtinModules);
    assert.deepEqual(arm.metadata.components, x86.metadata.components);
    assert.notEqual(arm.metadata.recipeHash, x86.metadata.recipeHash);
    const launcher = join(arm.dir, arm.metadata.launcher);
    assertStaticElf(launcher, /Machine:\s+AArch64/);
    assert.match(readelf('-l', launcher).split('\n').find((l) => l.includes('GNU_STACK')) ?? '', /0x100000/, 'the 1 MiB thread stack');
    const files = (dir: string) => listFiles(dir).filter((f) => !/^_sysconfigdata_/.test(f));
    const [armLib, x86Lib] = [join(arm.dir, arm.metadata.stdlib), join(x86.dir, x86.metadata.stdlib)];
    assert.deepEqual(files(armLib), files(x86Lib));
    const differing = files(x86Lib).filter((f) => !readFileSync(join(armLib, f)).equals(readFileSync(join(x86Lib, f))));
    assert.deepEqual(differing, []);
    assert.deepEqual(readdirSync(join(arm.dir, 'licenses')), readdirSync(join(x86.dir, 'licenses')));
  });

  test('the probe is a static AArch64 binary and under qemu prints what the x86_64 build prints', async (t) => {
    assert.ok(QEMU, 'qemu-aarch64-static is installed (scripts/setup.sh)');
    const [arm, x86] = await Promise.all([
      buildApp(PYTHON, join(FIXTURES, 'probe'), ['--name', 'probe', ...TARGET]),
      buildApp(PYTHON, join(FIXTURES, 'probe'), ['--name', 'probe']),
    ]);
    assert.match(arm, /probe-linux-aarch64$/);
    assertStaticElf(arm, /Machine:\s+AArch64/);
    assertStaticElf(x86, /Machine:\s+Advanced Micro Devices X86-64/);

    // The checks that start a child process run in subtests of their own below.
    const args = ['--tls-port', String(tls.port), ...CHILD_CHECKS.flatMap((c) => ['--skip', c])];
    const env = { SSL_CERT_FILE: tls.ca.caFile, PATH: '/usr/bin:/bin' };
    const started = Date.now();
    const armRun = await runBinary(arm, args, env);
    t.diagnostic(`the probe ran under qemu in ${((Date.now() - started) / 1000).toFixed(1)}s`);
    const x86Run = await runBinary(x86, args, env);
    assert.equal(armRun.status, 0, armRun.stderr);
    assert.equal(x86Run.status, 0, x86Run.stderr);
    const results = JSON.parse(armRun.stdout) as Record<string, string>;
    assert.deepEqual(results, JSON.parse(x86Run.stdout));
    for (const [check, outcome] of Object.entries(results)) assert.equal(outcome, 'ok', `${check}: ${outcome}`);
    assert.ok(CHILD_CHECKS.every((c) => PROBE_CHECKS.includes(c)) && PROBE_CHECKS.length > CHILD_CHECKS.length, `the probe's checks: ${PROBE_CHECKS.join(', ')}`);
    assert.deepEqual(Object.keys(results).sort(), PROBE_CHECKS.filter((c) => !CHILD_CHECKS.includes(c)).sort(), 'every other check ran');

    for (const check of CHILD_CHECKS) {
      await t.test(`${check}: its child process runs under qemu too (binfmt_misc)`, async (t) => {
        if (!BINFMT) return t.skip(NO_BINFMT);
        const only = PROBE_CHECKS.filter((c) => c !== check).flatMap((c) => ['--skip', c]);
        const [armOnly, x86Only] = [await runBinary(arm, only, env), await runBinary(x86, only, env)];
        assert.equal(armOnly.status, 0, armOnly.stderr);
        assert.deepEqual(JSON.parse(armOnly.stdout), { [check]: 'ok' });
        assert.equal(armOnly.stdout, x86Only.stdout);
      });
    }
  });

  test('a data-file app prints the same under qemu, and its own ZIP entries are byte-identical to the x86_64 build', async () => {
    const app = join(FIXTURES, 'apps', 'data');
    const [arm, x86] = await Promise.all([buildApp(PYTHON, app, TARGET), buildApp(PYTHON, app)]);
    assertStaticElf(arm, /Machine:\s+AArch64/);
    const [armRun, x86Run] = [await runBinary(arm, []), await runBinary(x86, [])];
    assert.equal(armRun.status, 0, armRun.stderr);
    assert.equal(armRun.stdout, x86Run.stdout);
    assert.equal(JSON.parse(armRun.stdout).open, 'Grüß dich');

    const [armZip, x86Zip] = [zipEntries(arm), zipEntries(x86)];
    const own = Object.keys(x86Zip).filter((name) => /^(datapkg\/|__pybin_main__\.py)/.test(name));
    assert.ok(own.length >= 4, `the app's entries: ${own.join(', ')}`);
    for (const name of own) assert.equal(armZip[name], x86Zip[name], name);
    // The rest (the stdlib and pybin's runtime) differs only in sysconfig's data, which is named for the platform,
    // and in what the binary says of itself (its SBOM names its target and launcher; its notices, the interpreter's libraries).
    const differing = [...new Set([...Object.keys(armZip), ...Object.keys(x86Zip)])].filter((n) => armZip[n] !== x86Zip[n]);
    assert.deepEqual(differing.filter((n) => n.startsWith('.pybin/')).sort(), ['.pybin/sbom.cdx.json'], 'the notices are the same; the SBOM differs');
    assert.deepEqual(differing.filter((n) => !/^_sysconfigdata_/.test(n) && !n.startsWith('.pybin/')), []);
    const sysconfig = differing.filter((n) => !n.startsWith('.pybin/')).sort();
    assert.deepEqual(sysconfig, ['_sysconfigdata__linux_aarch64-linux-musl.pyc', '_sysconfigdata__linux_x86_64-linux-musl.pyc'].filter((n) => sysconfig.includes(n)));
  });

  test("pip, run by the x86_64 interpreter, follows the target's markers and picks wheels for its platform", async () => {
    const wheels = tempDir('wheels');
    buildWheel(wheels, { name: 'armonly', version: '1.0', files: { 'armonly.py': 'WHAT = "armonly"\n' } });
    buildWheel(wheels, { name: 'x86only', version: '1.0', files: { 'x86only.py': 'WHAT = "x86only"\n' } });
    // Only an aarch64 wheel: pip must take the target's platform tags, not the machine's.
    buildWheel(wheels, { name: 'armplat', version: '1.0', tag: 'py3-none-manylinux2014_aarch64', files: { 'armplat.py': 'WHAT = "armplat"\n' } });
    const app = tempDir('marker-app');
    writeFileSync(
      join(app, '__main__.py'),
      'import importlib.util, platform\nprint(platform.machine(), *[m for m in ("armonly", "x86only", "armplat") if importlib.util.find_spec(m)])\n',
    );
    writeFileSync(join(app, 'requirements.txt'), 'armonly; platform_machine == "aarch64"\nx86only; platform_machine == "x86_64"\narmplat; platform_machine == "aarch64"\n');
    const env = { ...process.env, PIP_NO_INDEX: '1', PIP_FIND_LINKS: wheels, PIP_RETRIES: '0', PIP_TIMEOUT: '3' };
    const [arm, x86] = await Promise.all([buildApp(PYTHON, app, ['--name', 'markers', ...TARGET], env), buildApp(PYTHON, app, ['--name', 'markers'], env)]);
    assert.equal((await runBinary(arm, [])).stdout, 'aarch64 armonly armplat\n');
    assert.equal((await runBinary(x86, [])).stdout, 'x86_64 x86only\n');
  });

  test('interpreter fetch: the manifest entry of the target, and the x86_64 one of the same version that runs the build steps', async () => {
    const manifests = await startManifestServer();
    try {
      const packed = tempDir('packed');
      const entries: ManifestEntry[] = [];
      for (const target of ['aarch64-linux-musl', 'x86_64-linux-musl']) {
        const entry = await packToolchain((await testToolchain(PYTHON, target)).dir, packed, `${manifests.base}/files`);
        const file = entry.url.split('/').at(-1)!;
        manifests.serve(`/files/${file}`, readFileSync(join(packed, file)));
        entries.push(entry);
      }
      manifests.serve('/manifest.json', { schema: 1, toolchains: entries });
      const out = tempDir('out-fetch');
      const fetchArgs = ['--interpreter', 'fetch', '--manifest-url', `${manifests.base}/manifest.json`, '--cache-dir', tempDir('fetch-cache')];
      const result = await pybinBuild(PYTHON, [join(FIXTURES, 'apps', 'data'), '--out', out, '--name', 'fetched', ...TARGET, ...fetchArgs]);
      assert.equal(result.status, 0, result.stderr);
      assert.match(result.stderr, /download toolchain pybin-cpython-[\d.]+-aarch64-linux-musl-[0-9a-f]{16}\.tar\.gz/);
      assert.match(result.stderr, /download toolchain pybin-cpython-[\d.]+-x86_64-linux-musl-[0-9a-f]{16}\.tar\.gz/);
      const binary = join(out, 'fetched-linux-aarch64');
      assertStaticElf(binary, /Machine:\s+AArch64/);
      assert.equal(JSON.parse((await runBinary(binary, [])).stdout).open, 'Grüß dich');
    } finally {
      await manifests.close();
    }
  });

  test('--smoke-test runs the aarch64 binary under qemu', async () => {
    const out = tempDir('out-smoke');
    const result = await pybinBuild(PYTHON, [join(FIXTURES, 'apps', 'data'), '--out', out, '--name', 'smoke', '--smoke-test', 'x', ...TARGET]);
    assert.equal(result.status, 0, result.stderr);
    assert.doesNotMatch(result.stderr, /smoke-test skipped/);
    assert.ok(existsSync(join(out, 'smoke-linux-aarch64')));
  });

  test('without qemu the smoke test is skipped, saying so', async () => {
    // PATH without qemu: node itself is started by path, and the host toolchain and the aarch64 one are cache hits.
    const out = tempDir('out-noqemu');
    const bin = tempDir('bin');
    for (const tool of ['musl-gcc', 'gcc', 'x86_64-linux-gnu-gcc', 'aarch64-linux-musl-gcc', 'aarch64-linux-gnu-gcc']) {
      execFileSync('ln', ['-s', findOnPath(tool, process.env.PATH ?? '')!, join(bin, tool)]);
    }
    const result = await pybinBuild(PYTHON, [join(FIXTURES, 'apps', 'data'), '--out', out, '--name', 'noqemu', '--smoke-test', 'x', ...TARGET], {
      ...process.env,
      PATH: bin,
    });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stderr, /--smoke-test skipped: noqemu-linux-aarch64 is for aarch64 and cannot run on this machine: qemu-aarch64-static is not installed/);
  });
});

describe('aarch64-linux-musl: bad input', () => {
  test('bad input: an unknown target lists the known ones; a missing cross compiler names the Debian packages', async () => {
    const unknown = await pybin(['build', join(FIXTURES, 'apps', 'data'), '--target', 'riscv64-linux-musl', '--out', tempDir('out-bad')]);
    assert.notEqual(unknown.status, 0);
    assert.match(unknown.stderr, /target must be auto or one of x86_64-linux-musl, aarch64-linux-musl, x86_64-linux-gnu, aarch64-linux-gnu, got "riscv64-linux-musl"/);
    assert.doesNotMatch(unknown.stderr, /\n\s+at /, 'no stack trace');

    const glibc = await pybin(['build', join(FIXTURES, 'apps', 'data'), '--target', 'aarch64-linux-gnu', '--out', tempDir('out-bad')]);
    assert.notEqual(glibc.status, 0);
    assert.match(glibc.stderr, /aarch64-linux-gnu cannot be cross-built on x86_64 yet: .*ubuntu-24\.04-arm/);

    // Only the host's musl-gcc on PATH: the toolchain command stops before building anything.
    const bin = tempDir('bin');
    for (const tool of ['musl-gcc', 'gcc', 'x86_64-linux-gnu-gcc']) execFileSync('ln', ['-s', findOnPath(tool, process.env.PATH ?? '')!, join(bin, tool)]);
    const missing = await pybin(['toolchain', '--python', PYTHON, '--target', 'aarch64-linux-musl', '--cache-dir', tempDir('cache')], { ...process.env, PATH: bin });
    assert.notEqual(missing.status, 0);
    assert.match(missing.stderr, /no aarch64 musl cross compiler found \(aarch64-linux-musl-gcc is not on PATH\)/);
    assert.match(missing.stderr, /gcc-aarch64-linux-gnu/);
    assert.match(missing.stderr, /musl-dev:arm64/);
  });
});
