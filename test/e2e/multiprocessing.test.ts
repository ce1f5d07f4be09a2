import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { packageRoot } from '../../src/plumbing/package-root.js';
import { buildBinary } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';
import type { RunResult } from '../support/run.js';
import { TEST_PYTHONS } from '../support/toolchain.js';
import { findRealPython } from '../support/real-python.js';

/**
 * multiprocessing in built binaries: every start method, from a script entry
 * (test/fixtures/apps/mp-script/__main__.py) and a function entry
 * (mp-func, --entry mpfunc.cli:main), with workers that read package data
 * files, compared with the same fixture run by a real CPython.
 */

const APPS = join(packageRoot(), 'test', 'fixtures', 'apps');
const METHODS = ['spawn', 'forkserver', 'fork'] as const;
/** A hung pool must fail its test, not block the suite. */
const RUN_TIMEOUT_MS = 60_000;


/**
 * Run a program in its own process group and collect its output; on timeout
 * the whole group (the app and every worker, forkserver and resource tracker)
 * is killed, so that no orphan keeps the pipes open.
 */
function runGroup(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<RunResult & { timedOut: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: options.env ?? process.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const killGroup = () => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, RUN_TIMEOUT_MS);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      killGroup(); // a worker the app left behind
      resolve({ status, signal, stdout, stderr, timedOut });
    });
  });
}

function assertRan(result: RunResult & { timedOut: boolean }, what: string) {
  assert.ok(!result.timedOut, `${what} hung (killed after ${RUN_TIMEOUT_MS / 1000}s); stderr:\n${result.stderr}`);
  assert.equal(result.status, 0, `${what} failed; stderr:\n${result.stderr}`);
}

const WORDS = ['alpha', 'beta', 'grüß', 'delta'];

/** What mp-script prints for a start method: spawned children re-run the script as __mp_main__. */
function expectedScript(method: string) {
  const work = (n: number) => ({
    n, square: n * n, word: WORDS[n % WORDS.length], count: WORDS.length, first: 'alpha',
    module: method === 'fork' ? '__main__' : '__mp_main__',
  });
  return {
    method, pool: [0, 1, 2, 3].map(work), executor: [16, 25, 36], process: ['Job', 9, 0], nested: 25, shared_memory: 'grüß',
  };
}

/** What mp-func prints: workers import mpfunc.cli, which reads its data file. */
function expectedFunction(method: string) {
  const scaled = (n: number) => [n * 10, 'tafel ☃', 'mpfunc.cli'];
  return { method, pool: [0, 1, 2].map(scaled), executor: [3, 4].map(scaled), process: scaled(7), semaphore: 1 };
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The 1-based line of the first line of `file` that contains `text`. */
function lineOf(file: string, text: string): number {
  const index = readFileSync(file, 'utf8').split('\n').findIndex((line) => line.includes(text));
  assert.ok(index >= 0, `${text} is in ${file}`);
  return index + 1;
}

for (const python of TEST_PYTHONS) {
  describe(`multiprocessing in a pybin binary (CPython ${python})`, { timeout: 30 * 60_000 }, () => {
    const reference = findRealPython(python)?.path;
    const noReference = `no real CPython ${python} to compare with (set PYBIN_REAL_PYTHON_${python.replace('.', '_')})`;
    const scriptFile = join(APPS, 'mp-script', '__main__.py');
    const bins = { script: '', noSources: '', func: '', extracted: '' };

    before(async () => {
      const out = tempDir('out');
      // --compression store: the origin test below edits the script's source in place.
      bins.script = await buildBinary(python, [join(APPS, 'mp-script'), '--name', 'mp-script', '--out', out, '--compression', 'store']);
      bins.noSources = await buildBinary(python, [join(APPS, 'mp-script'), '--name', 'mp-script-nosrc', '--out', out, '--no-sources']);
      bins.func = await buildBinary(python, [join(APPS, 'mp-func'), '--entry', 'mpfunc.cli:main', '--name', 'mp-func', '--out', out]);
      bins.extracted = await buildBinary(python, [join(APPS, 'mp-script'), '--name', 'mp-script-x', '--out', out, '--extract']);
    });

    for (const method of METHODS) {
      test(`a script entry with ${method}: pools, executors, processes, shared memory, from __main__ functions and classes`, async (t) => {
        const ours = await runGroup(bins.script, [method]);
        assertRan(ours, `mp-script ${method}`);
        assert.deepEqual(JSON.parse(ours.stdout), expectedScript(method));
        assert.equal(ours.stderr, '', 'no warning (the resource tracker cleaned up)');
        await t.test(`as a real CPython ${python} runs the script`, async (t) => {
          if (!reference) return t.skip(noReference);
          const real = await runGroup(reference, [scriptFile, method]);
          assertRan(real, `CPython ${python} mp-script ${method}`);
          assert.equal(ours.stdout, real.stdout, 'as CPython runs the script');
        });
      });

      test(`a function entry with ${method}: workers import the app and read its data files`, async (t) => {
        const ours = await runGroup(bins.func, [method]);
        assertRan(ours, `mp-func ${method}`);
        assert.deepEqual(JSON.parse(ours.stdout), expectedFunction(method));
        assert.equal(ours.stderr, '');
        await t.test(`as a real CPython ${python} runs the function`, async (t) => {
          if (!reference) return t.skip(noReference);
          // What a console script does: import the module, call the function.
          const real = await runGroup(reference, ['-c', 'import sys; from mpfunc.cli import main; sys.exit(main())', method], { cwd: join(APPS, 'mp-func') });
          assertRan(real, `CPython ${python} mp-func ${method}`);
          assert.equal(ours.stdout, real.stdout, 'as CPython runs the function');
        });
      });
    }

    test('a script built with --no-sources runs its workers from the .pyc', async () => {
      for (const method of ['spawn', 'forkserver'] as const) {
        const ours = await runGroup(bins.noSources, [method]);
        assertRan(ours, `mp-script-nosrc ${method}`);
        assert.deepEqual(JSON.parse(ours.stdout), expectedScript(method));
      }
    });

    test('--extract: spawned children use the parent\'s extraction (cached, or its temporary one)', async () => {
      const cache = tempDir('cache');
      for (const method of ['spawn', 'forkserver'] as const) {
        const ours = await runGroup(bins.extracted, [method], { env: { PATH: process.env.PATH, XDG_CACHE_HOME: cache } });
        assertRan(ours, `mp-script-x ${method}`);
        assert.deepEqual(JSON.parse(ours.stdout), expectedScript(method));
        assert.equal(ours.stderr, '');
      }
      assert.equal(readdirSync(join(cache, 'pybin', 'apps')).filter((f) => !f.endsWith('.lock')).length, 1, 'one extraction');

      // No cache dir: one temporary extraction, shared with the children, removed at exit.
      const temp = tempDir('tmpdir');
      const ours = await runGroup(bins.extracted, ['spawn'], { env: { PATH: process.env.PATH, TMPDIR: temp } });
      assertRan(ours, 'mp-script-x spawn without HOME');
      assert.deepEqual(JSON.parse(ours.stdout), expectedScript('spawn'));
      const said = /^pybin: neither XDG_CACHE_HOME nor HOME is set; unpacked the app into (\S+) for this run \(removed at exit\)\n$/.exec(ours.stderr);
      assert.ok(said, `one line on stderr, from the parent only:\n${ours.stderr}`);
      assert.ok(said[1]!.startsWith(`${temp}/`), `${said[1]} is in TMPDIR`);
      assert.deepEqual(readdirSync(temp).filter((f) => f.startsWith('pybin-')), [], 'the temporary extraction is removed at exit');
    });

    test('a script entry runs from its shipped .pyc, not from its source', async () => {
      // Edit the source inside the binary (same length, stored uncompressed):
      // a bootstrap that compiled the source would print the edit.
      const original = Buffer.from('print("origin: compiled")');
      const edited = Buffer.from('print("origin: sources!")');
      const bytes = readFileSync(bins.script);
      const at = bytes.indexOf(original);
      assert.ok(at >= 0 && bytes.indexOf(original, at + 1) < 0, 'the source statement is in the binary exactly once');
      edited.copy(bytes, at);
      const copy = join(tempDir('edited'), 'mp-script');
      writeFileSync(copy, bytes, { mode: 0o755 });
      const result = await runGroup(copy, ['origin']);
      assertRan(result, 'origin');
      assert.equal(result.stdout, 'origin: compiled\n');
      const untouched = await runGroup(bins.script, ['origin']);
      assert.equal(untouched.stdout, 'origin: compiled\n');
    });

    test('a traceback shows the script\'s source lines, with the lines CPython reports', async (t) => {
      const raiseLine = lineOf(scriptFile, 'raise ValueError("boom from the script")');
      const callLine = lineOf(scriptFile, '        fail()');
      const ours = await runGroup(bins.script, ['fail']);
      assert.equal(ours.status, 1, ours.stderr);
      const script = escape(join(bins.script, '__pybin_main__.py'));
      assert.match(ours.stderr, new RegExp(`File "${script}", line ${callLine}, in <module>\\n {4}fail\\(\\)\\n`));
      assert.match(ours.stderr, new RegExp(`File "${script}", line ${raiseLine}, in fail\\n {4}raise ValueError\\("boom from the script"\\)\\n`));
      assert.match(ours.stderr, /\nValueError: boom from the script\n$/);
      await t.test(`the lines a real CPython ${python} reports`, async (t) => {
        if (!reference) return t.skip(noReference);
        const real = await runGroup(reference, [scriptFile, 'fail']);
        assert.equal(real.status, 1, real.stderr);
        const lines = (stderr: string) => [...stderr.matchAll(/^ {2}File "[^"]*\/(?:__pybin_main__|mp-script\/__main__)\.py", line (\d+), in (\S+)$/gm)].map((m) => `${m[2]}:${m[1]}`);
        assert.deepEqual(lines(ours.stderr), lines(real.stderr));
        assert.deepEqual(lines(real.stderr), [`<module>:${callLine}`, `fail:${raiseLine}`]);
      });

      const bare = await runGroup(bins.noSources, ['fail']);
      assert.equal(bare.status, 1, bare.stderr);
      assert.match(bare.stderr, new RegExp(`File "${escape(join(bins.noSources, '__pybin_main__.py'))}", line ${raiseLine}, in fail\\nValueError: boom from the script\\n$`), 'no sources, no source lines');
    });
  });
}
