import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { packageRoot } from '../../src/plumbing/package-root.js';
import { findOnPath } from '../../src/toolchain/compiler.js';
import { buildApp } from '../support/app.js';
import { run } from '../support/run.js';
import { pongServerForTests } from '../support/tls.js';
import { TEST_PYTHONS } from '../support/toolchain.js';

const TIMEOUT = 30 * 60_000;
const PROBE = join(packageRoot(), 'test', 'fixtures', 'probe');

const tls = pongServerForTests();

function assertAllOk(results: Record<string, string>, expected: string[]) {
  for (const name of expected) assert.equal(results[name], 'ok', `${name}: ${results[name]}`);
}

const ALL = ['ssl', 'hashlib', 'sqlite3', 'compression', 'decimal_json', 'asyncio', 'text', 'zoneinfo',
  'socket_subprocess', 'ctypes', 'thread_recursion', 'multiprocessing'];

/**
 * An empty root with only the binary in it (and the CA it is told to trust):
 * no /proc, no libraries, no tzdata. /tmp and /dev/shm are empty dirs, which
 * multiprocessing's semaphores need under any Python.
 */
function emptyRoot(binary: string, caInside: string): string {
  const root = mkdtempSync(join(tmpdir(), 'pybin-chroot-'));
  copyFileSync(binary, join(root, 'probe'));
  for (const dir of ['tmp', 'dev/shm']) mkdirSync(join(root, dir), { recursive: true });
  mkdirSync(dirname(join(root, caInside)), { recursive: true });
  copyFileSync(tls.ca.caFile, join(root, caInside));
  return root;
}

const CHROOT_FOUND = findOnPath('chroot', `${process.env.PATH}:/usr/sbin:/sbin`);
const CHROOT = CHROOT_FOUND ?? 'chroot';

/**
 * Why a chroot test cannot run here (it skips, saying so): no chroot command,
 * or not root and chroot refused. As root, a chroot that fails fails the test.
 */
async function chrootPermitted(): Promise<string | undefined> {
  if (!CHROOT_FOUND) return 'no chroot command on PATH, /usr/sbin or /sbin';
  const check = await run(CHROOT_FOUND, ['/', 'true']);
  if (check.status === 0) return undefined;
  const why = `chroot / true failed: ${check.stderr.trim() || `exit ${check.status}`}`;
  assert.notEqual(process.getuid?.(), 0, `${why}, running as root`);
  return `not root (uid ${process.getuid?.()}) and ${why}`;
}

for (const python of TEST_PYTHONS) {
  describe(`probe app, CPython ${python}`, { timeout: TIMEOUT }, () => {
    test('every module the toolchain promises works from the fused binary', async () => {
      const probe = await buildApp(python, PROBE, ['--name', 'probe']);
      const result = await run(probe, ['--tls-port', String(tls.port)], { env: { SSL_CERT_FILE: tls.ca.caFile, PATH: '/usr/bin:/bin' } });
      assert.equal(result.status, 0, result.stderr);
      assertAllOk(JSON.parse(result.stdout), ALL);
    });

    test('without the 1 MiB thread stack the recursion check crashes: it tests what it claims', async () => {
      const binary = readFileSync(await buildApp(python, PROBE, ['--name', 'probe']));
      // Zero PT_GNU_STACK's size, as if linked without -z stack-size: musl then gives threads 128 KiB.
      const phoff = Number(binary.readBigUInt64LE(0x20));
      const [entrySize, count] = [binary.readUInt16LE(0x36), binary.readUInt16LE(0x38)];
      const stack = Array.from({ length: count }, (_, i) => phoff + i * entrySize).find((o) => binary.readUInt32LE(o) === 0x6474e551);
      assert.ok(stack !== undefined, 'the launcher has a PT_GNU_STACK header');
      binary.writeBigUInt64LE(0n, stack + 40);
      const patched = join(mkdtempSync(join(tmpdir(), 'pybin-nostack-')), 'probe');
      writeFileSync(patched, binary, { mode: 0o755 });
      const only = ALL.filter((c) => c !== 'thread_recursion').flatMap((c) => ['--skip', c]);
      const result = await run(patched, only);
      assert.equal(result.signal, 'SIGSEGV', `expected a crash, got ${result.status}: ${result.stdout}`);
    });

    test('TLS fails without the test CA: the handshake really verifies', async () => {
      const probe = await buildApp(python, PROBE, ['--name', 'probe']);
      const result = await run(probe, ['--tls-port', String(tls.port)], { env: {} });
      assert.match(JSON.parse(result.stdout).ssl, /CERTIFICATE_VERIFY_FAILED/);
    });

    test('the same probe runs in an empty chroot', async (t) => {
      const denied = await chrootPermitted();
      if (denied) return t.skip(denied);
      const root = emptyRoot(await buildApp(python, PROBE, ['--name', 'probe']), 'ca.pem');
      const result = await run(CHROOT, [root, '/probe', '--tls-port', String(tls.port)], { env: { SSL_CERT_FILE: '/ca.pem' } });
      assert.equal(result.status, 0, result.stderr);
      const results = JSON.parse(result.stdout);
      assertAllOk(results, ALL.filter((c) => c !== 'zoneinfo'));
      assert.match(results.zoneinfo, /ZoneInfoNotFoundError/, 'no tzdata in an empty root');
    });

    test('with no SSL_CERT_FILE, a RHEL-style CA bundle is found', async (t) => {
      const denied = await chrootPermitted();
      if (denied) return t.skip(denied);
      const root = emptyRoot(await buildApp(python, PROBE, ['--name', 'probe']), 'etc/pki/tls/certs/ca-bundle.crt');
      const result = await run(CHROOT, [root, '/probe', '--tls-port', String(tls.port), '--skip', 'multiprocessing'], { env: {} });
      assert.equal(JSON.parse(result.stdout).ssl, 'ok', result.stderr);
    });
  });
}
