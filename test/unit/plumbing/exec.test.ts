import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { logExcerpt, runCommand, runLogged } from '../../../src/plumbing/exec.js';

test('a failing step reports its exit status, the end of its log and the log path', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pybin-exec-'));
  const logFile = join(dir, 'step.log');
  await assert.rejects(
    runLogged(['sh', '-c', 'for i in $(seq 1 50); do echo line $i; done; echo "x.c:1: error: boom" >&2; exit 3'], {
      cwd: dir, env: process.env, logFile, label: 'demo step',
    }),
    (error: Error) => {
      assert.match(error.message, /demo step failed \(exit status 3\)/);
      assert.match(error.message, /error: boom/);
      assert.match(error.message, /line 50/);
      assert.doesNotMatch(error.message, /line 10\n/);
      assert.ok(error.message.includes(`full log: ${logFile}`));
      return true;
    },
  );
});

test('a missing program is reported, not thrown as a raw spawn error', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pybin-exec-'));
  await assert.rejects(
    runLogged(['/nonexistent/tool'], { cwd: dir, env: process.env, logFile: join(dir, 'l.log'), label: 'tool' }),
    /tool failed \(could not start \/nonexistent\/tool/,
  );
});

test('the excerpt keeps buried error lines and cuts very long lines', () => {
  const log = ['a.c:3: error: first', ...Array.from({ length: 40 }, (_, i) => `noise ${i} ${'x'.repeat(500)}`)].join('\n');
  const excerpt = logExcerpt(log);
  assert.match(excerpt, /^a\.c:3: error: first\n…\n/);
  assert.ok(excerpt.split('\n').every((l) => l.length <= 302));
});

test('no child sees the runner\'s secrets: the Action\'s inputs, the runtime\'s tokens and service URLs, GitHub tokens', async () => {
  const secrets = {
    INPUT_TOKEN: 'ghs_input',
    INPUT_APP: '.',
    ACTIONS_RUNTIME_TOKEN: 'jwt',
    ACTIONS_RESULTS_URL: 'https://results.example/',
    ACTIONS_CACHE_URL: 'https://cache.example/',
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'oidc',
    ACTIONS_ID_TOKEN_REQUEST_URL: 'https://oidc.example/',
    GITHUB_TOKEN: 'ghs_env',
    GH_TOKEN: 'ghs_cli',
  };
  const kept = { PATH: process.env.PATH ?? '/usr/bin:/bin', PIP_INDEX_URL: 'https://mirror.example/simple', GITHUB_REPOSITORY: 'acme/tool', HOME: '/tmp' };
  const seen = (await runCommand(['env'], { ...secrets, ...kept })).stdout;
  const names = new Set(seen.split('\n').map((line) => line.split('=')[0]));
  for (const name of Object.keys(secrets)) assert.ok(!names.has(name), `${name} reached the child`);
  for (const name of Object.keys(kept)) assert.ok(names.has(name), `${name} was taken from the child`);
  // Logged build commands go through the same filter.
  const dir = mkdtempSync(join(tmpdir(), 'pybin-exec-'));
  await runLogged(['env'], { cwd: dir, env: { ...secrets, ...kept }, logFile: join(dir, 'log'), label: 'env' });
  assert.doesNotMatch(readFileSync(join(dir, 'log'), 'utf8'), /TOKEN|ACTIONS_|INPUT_/);
});

test('a command past its time is killed and says so', async () => {
  const result = await runCommand(['sleep', '5'], process.env, 100);
  assert.equal(result.timedOut, true);
  assert.equal(result.status, null);
});
