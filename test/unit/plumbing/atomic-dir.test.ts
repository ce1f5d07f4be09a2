import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildOnce, ensureWritableDir } from '../../../src/plumbing/atomic-dir.js';

const cacheModule = new URL('../../../src/plumbing/atomic-dir.ts', import.meta.url).href;

/** A separate node process that builds `dir` slowly through buildOnce and appends to `journal`. */
function builder(dir: string, journal: string): Promise<string> {
  const script = `
    import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
    const { buildOnce } = await import(${JSON.stringify(cacheModule)});
    const result = await buildOnce(${JSON.stringify(dir)}, async (work) => {
      appendFileSync(${JSON.stringify(journal)}, 'build\\n');
      mkdirSync(work, { recursive: true });
      for (let i = 0; i < 10; i++) {
        writeFileSync(work + '/part' + i, String(i));
        await new Promise((r) => setTimeout(r, 100));
      }
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
  const results = await Promise.all([builder(dir, journal), builder(dir, journal)]);
  assert.deepEqual(results.sort(), ['built', 'hit']);
  assert.equal(readFileSync(journal, 'utf8'), 'build\n');
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
