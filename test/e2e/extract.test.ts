import assert from 'node:assert/strict';
import { chmodSync, cpSync, existsSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
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
