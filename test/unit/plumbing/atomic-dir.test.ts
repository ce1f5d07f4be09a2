import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildOnce, ensureWritableDir } from '../../../src/plumbing/atomic-dir.js';

const cacheModule = new URL('../../../src/plumbing/atomic-dir.ts', import.meta.url).href;

/**
 * A separate node process that builds `dir` through buildOnce and appends to
 * `journal`: `lock` when buildOnce asks for the lock (it found no finished dir),
 * `build` when it builds. The build does not finish before two processes
 * have asked for the lock: the other one is then waiting on it, and the two overlap.
 */
function builder(dir: string, journal: string): Promise<string> {
  const script = `
    import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
    import { createRequire } from 'node:module';
    // The proper-lockfile that atomic-dir.ts imports (one CommonJS instance): note each call of its lock().
    const lockfile = createRequire(${JSON.stringify(cacheModule)})('proper-lockfile');
    const lock = lockfile.lock;
    lockfile.lock = (...args) => {
      appendFileSync(${JSON.stringify(journal)}, 'lock\\n');
      return lock(...args);
    };
    const { buildOnce } = await import(${JSON.stringify(cacheModule)});
    const locks = () => readFileSync(${JSON.stringify(journal)}, 'utf8').split('\\n').filter((l) => l === 'lock').length;
    const result = await buildOnce(${JSON.stringify(dir)}, async (work) => {
      appendFileSync(${JSON.stringify(journal)}, 'build\\n');
      for (const started = Date.now(); locks() < 2; await new Promise((r) => setTimeout(r, 50))) {
        if (Date.now() - started > 60_000) throw new Error('the other builder never asked for the lock');
      }
      mkdirSync(work, { recursive: true });
      for (let i = 0; i < 10; i++) writeFileSync(work + '/part' + i, String(i));
    });
    process.stdout.write(result.hit ? 'hit' : 'built');
  `;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`builder exited ${code}`))));
  });
}

test('two processes building one key: one builds, the other waits and reuses it', async () => {
  const root = mkdtempSync(join(tmpdir(), 'pybin-cache-'));
  const dir = join(root, 'toolchains', 'demo');
  const journal = join(root, 'journal');
  writeFileSync(journal, '');
  const results = await Promise.all([builder(dir, journal), builder(dir, journal)]);
  assert.deepEqual(results.sort(), ['built', 'hit']);
  // Both asked for the lock before the one build finished: the hit came from waiting on it, not from a finished dir.
  assert.deepEqual(readFileSync(journal, 'utf8').split('\n').filter(Boolean).sort(), ['build', 'lock', 'lock']);
  assert.equal(readdirSync(dir).length, 10);
  assert.deepEqual(readdirSync(join(root, 'toolchains')), ['demo'], 'no temporary or lock dirs left');
});

test('a failed build leaves nothing that looks complete', async () => {
  const root = mkdtempSync(join(tmpdir(), 'pybin-cache-'));
  const dir = join(root, 'toolchains', 'broken');
  await assert.rejects(
    buildOnce(dir, async () => {
      throw new Error('compiler exploded');
    }),
    /compiler exploded/,
  );
  assert.equal(existsSync(dir), false);
  assert.deepEqual(readdirSync(join(root, 'toolchains')), []);
});

test('an unwritable cache dir is a clear error naming the option', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'pybin-cache-')), 'a-file');
  writeFileSync(file, '');
  assert.throws(() => ensureWritableDir(join(file, 'cache'), 'cache dir', 'cache-dir'), /cache dir .* is not writable .*--cache-dir/);
});
