import assert from 'node:assert/strict';
import { chmodSync, chownSync, cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { packageRoot } from '../../src/plumbing/package-root.js';
import { buildBinary } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';
import { run, type RunResult } from '../support/run.js';
import { TEST_PYTHONS } from '../support/toolchain.js';

/**
 * --extract where the per-user cache is unusual: reached through a symlink,
 * not writable, or not defined at all (no HOME); and an archive entry that
 * would land outside the cache.
 */

const APPS = join(packageRoot(), 'test', 'fixtures', 'apps');
const FALLBACK = /^pybin: (.+); unpacked the app into (\S+) for this run \(removed at exit\)\n$/;

/** The data fixture's report, read from real files. */
function assertReport(result: RunResult) {
  assert.equal(result.status, 0, result.stderr);
  const seen = JSON.parse(result.stdout);
  assert.equal(seen.open, 'Grüß dich');
  assert.deepEqual(seen.listdir, ['greeting.txt', 'sub']);
  assert.equal(seen.file_is_inside, false, 'the app runs from real files');
}

function assertNoTraceback(result: RunResult) {
  assert.doesNotMatch(result.stderr, /Traceback/);
}

/** Runs where the cache cannot be used: the app still runs, from a temporary dir that is gone afterwards. */
async function assertFallback(binary: string, env: NodeJS.ProcessEnv, reason: RegExp) {
  const temp = tempDir('tmpdir');
  const result = await run(binary, [], { env: { PATH: '/usr/bin:/bin', TMPDIR: temp, ...env } });
  assertReport(result);
  const said = FALLBACK.exec(result.stderr);
  assert.ok(said, `one line on stderr says why:\n${result.stderr}`);
  assert.match(said[1]!, reason);
  assert.ok(said[2]!.startsWith(`${temp}/pybin-`), `${said[2]} is a private dir in TMPDIR`);
  assert.deepEqual(readdirSync(temp), [], 'removed at exit');
}

for (const python of TEST_PYTHONS) {
  describe(`--extract with an unusual cache dir (CPython ${python})`, { timeout: 30 * 60_000 }, () => {
    let binary = '';
    before(async () => {
      binary = await buildBinary(python, [join(APPS, 'data'), '--name', 'extracted', '--out', tempDir('out'), '--extract']);
    });

    test('a cache dir reached through a symlink', async () => {
      const real = tempDir('real');
      const link = join(tempDir('links'), 'cache');
      symlinkSync(real, link);
      for (let i = 0; i < 2; i++) {
        const result = await run(binary, [], { env: { PATH: '/usr/bin:/bin', XDG_CACHE_HOME: link } });
        assertReport(result);
        assert.equal(result.stderr, '');
      }
      const apps = readdirSync(join(real, 'pybin', 'apps')).filter((f) => !f.endsWith('.lock'));
      assert.equal(apps.length, 1, `one extraction, no leftovers: ${apps}`);
      assert.equal(readFileSync(join(real, 'pybin', 'apps', apps[0]!, 'datapkg', 'data', 'greeting.txt'), 'utf8').trim(), 'Grüß dich');
    });

    test('a cache dir that cannot be created', async () => {
      const file = join(tempDir('file'), 'plain');
      writeFileSync(file, '');
      await assertFallback(binary, { XDG_CACHE_HOME: join(file, 'cache') }, /^cannot write the cache dir .*plain\/cache\/pybin\/apps \(Not a directory\)$/);
    });

    test('a read-only cache dir', { skip: process.getuid?.() === 0 ? 'root writes into read-only dirs' : false }, async () => {
      const cache = tempDir('ro');
      chmodSync(cache, 0o555);
      await assertFallback(binary, { XDG_CACHE_HOME: cache }, /^cannot write the cache dir .*\(Permission denied\)$/);
    });

    test('no HOME and no XDG_CACHE_HOME', async () => {
      await assertFallback(binary, {}, /^neither XDG_CACHE_HOME nor HOME is set$/);
    });

    /** The cache entry a first run makes: its digest-named dir. */
    async function entryOf(cache: string): Promise<string> {
      assertReport(await run(binary, [], { env: { PATH: '/usr/bin:/bin', XDG_CACHE_HOME: cache } }));
      const apps = join(cache, 'pybin', 'apps');
      const [digest] = readdirSync(apps).filter((f) => !f.startsWith('.') && !f.endsWith('.lock'));
      return join(apps, digest!);
    }

    test('a planted symlink at the entry\'s place is never followed: the app is unpacked again', async () => {
      const digest = (await entryOf(tempDir('first'))).split('/').at(-1)!;
      const cache = tempDir('planted');
      const apps = join(cache, 'pybin', 'apps');
      mkdirSync(apps, { recursive: true, mode: 0o700 });
      const bait = tempDir('bait');
      mkdirSync(join(bait, 'datapkg'));
      writeFileSync(join(bait, 'datapkg', '__init__.py'), 'print("PLANTED")\n');
      symlinkSync(bait, join(apps, digest));
      const result = await run(binary, [], { env: { PATH: '/usr/bin:/bin', XDG_CACHE_HOME: cache } });
      assertReport(result);
      assert.doesNotMatch(result.stdout, /PLANTED/);
      assert.match(result.stderr, /^pybin: the unpacked app in \S+ is incomplete or not this user's own; unpacking it again\n$/);
      assert.ok(!lstatSync(join(apps, digest)).isSymbolicLink(), 'a real dir of its own now');
      assert.deepEqual(readdirSync(join(bait, 'datapkg')), ['__init__.py'], 'the planted dir is left as it was');
    });

    test('a damaged entry (a pruned file) and one others may write are unpacked again', async () => {
      const cache = tempDir('damaged');
      const entry = await entryOf(cache);
      rmSync(join(entry, 'datapkg', 'data', 'greeting.txt'));
      let result = await run(binary, [], { env: { PATH: '/usr/bin:/bin', XDG_CACHE_HOME: cache } });
      assertReport(result);
      assert.match(result.stderr, /is incomplete or not this user's own; unpacking it again/);
      chmodSync(entry, 0o777);
      result = await run(binary, [], { env: { PATH: '/usr/bin:/bin', XDG_CACHE_HOME: cache } });
      assertReport(result);
      assert.match(result.stderr, /unpacking it again/);
      assert.equal(statSync(entry).mode & 0o777, 0o700);
      result = await run(binary, [], { env: { PATH: '/usr/bin:/bin', XDG_CACHE_HOME: cache } });
      assert.equal(result.stderr, '', 'whole again: used as it is');
    });

    test('a cache dir of another user is not used', { skip: process.getuid?.() === 0 ? false : 'only root can give a dir to another user' }, async () => {
      const cache = tempDir('foreign');
      mkdirSync(join(cache, 'pybin', 'apps'), { recursive: true });
      chownSync(join(cache, 'pybin', 'apps'), 65534, 65534);
      await assertFallback(binary, { XDG_CACHE_HOME: cache }, /pybin\/apps belongs to another user or others may write it: not using it$/);
    });

    test('an archive entry that points outside the cache is refused, without a traceback', async () => {
      // The same app with one more file, whose name (in both ZIP headers) is then
      // edited to step out of the extraction dir: the content hash stays the same.
      const app = join(tempDir('slip-app'), 'data');
      cpSync(join(APPS, 'data'), app, { recursive: true });
      writeFileSync(join(app, 'datapkg', 'zz_slip.txt'), 'x');
      const built = await buildBinary(python, [app, '--name', 'slip', '--out', tempDir('out-slip'), '--extract']);
      const bytes = readFileSync(built);
      const name = Buffer.from('datapkg/zz_slip.txt');
      const evil = Buffer.from('datapkg/../../e.txt');
      let count = 0;
      for (let at = bytes.indexOf(name); at >= 0; at = bytes.indexOf(name, at + 1), count++) evil.copy(bytes, at);
      assert.equal(count, 2, 'the name is in the local header and the central directory');
      const slip = join(tempDir('slip'), 'slip');
      writeFileSync(slip, bytes, { mode: 0o755 });

      const cache = tempDir('cache');
      const result = await run(slip, [], { env: { PATH: '/usr/bin:/bin', XDG_CACHE_HOME: cache } });
      assert.equal(result.status, 1);
      assert.match(result.stderr, /^pybin: refusing to unpack 'datapkg\/\.\.\/\.\.\/e\.txt': it points outside \S+\n$/);
      assertNoTraceback(result);
      const apps = join(cache, 'pybin', 'apps');
      assert.deepEqual(readdirSync(apps).filter((f) => !f.endsWith('.lock')), [], 'nothing half-extracted is left');
      assert.ok(!existsSync(join(apps, 'e.txt')) && !existsSync(join(cache, 'pybin', 'e.txt')), 'nothing written outside');
    });
  });
}

describe('--extract keeps executable bits', { timeout: 30 * 60_000 }, () => {
  test('an executable file of the app is executable once unpacked', async () => {
    const app = tempDir('exec-app');
    mkdirSync(join(app, 'bin'));
    writeFileSync(join(app, 'bin', 'tool.sh'), '#!/bin/sh\necho tool\n', { mode: 0o755 });
    writeFileSync(join(app, 'bin', 'data.txt'), 'data\n', { mode: 0o644 });
    writeFileSync(
      join(app, '__main__.py'),
      'import os, subprocess\nhere = os.path.join(os.path.dirname(__file__), "bin")\n' +
        'print(os.access(os.path.join(here, "tool.sh"), os.X_OK), os.access(os.path.join(here, "data.txt"), os.X_OK))\n' +
        'print(subprocess.run([os.path.join(here, "tool.sh")], capture_output=True, text=True).stdout.strip())\n',
    );
    const binary = await buildBinary(TEST_PYTHONS[0]!, [app, '--name', 'exec', '--out', tempDir('out-exec'), '--extract']);
    const result = await run(binary, [], { env: { PATH: '/usr/bin:/bin', XDG_CACHE_HOME: tempDir('exec-cache') } });
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout, 'True False\ntool\n');
  });
});
