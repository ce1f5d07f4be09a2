import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { buildApp, buildScript } from '../support/app.js';
import { run } from '../support/run.js';
import { TEST_PYTHONS, testToolchain } from '../support/toolchain.js';

const TIMEOUT = 30 * 60_000;

const ARGV_APP = 'import json, sys\nprint(json.dumps({"argv": sys.argv, "optimize": sys.flags.optimize, "path0": sys.path[0], "executable": sys.executable}))\n';

const EXIT_APP = `
import sys, time
mode = sys.argv[1]
if mode == "exit3":
    sys.exit(3)
if mode == "raise":
    raise RuntimeError("boom")
if mode == "wait":
    print("ready", flush=True)
    time.sleep(60)
if mode == "flood":
    for _ in range(100000):
        print("x" * 100)
`;

// Reads zipimport's table for the binary (the launcher's, answered from the
// central directory) and compares it with zipimport's own reading of the file,
// then closes every descriptor (as daemons do) and opens a file that takes
// the lowest free number, before importing more from the ZIP.
const START_APP = `
import builtins, json, os, site, sys, tempfile, zipimport
table = zipimport._zip_directory_cache[sys.executable]
own = zipimport._read_directory(sys.executable)
same = dict(table) == own and sorted(table) == sorted(own)
scratch = tempfile.mkdtemp()
with open(os.path.join(scratch, "reused"), "w") as f:
    f.write("hello")
os.closerange(3, 4096)
reused = open(os.path.join(scratch, "reused"))
import csv, fractions, statistics
print(json.dumps({
    "same": same, "names": len(table), "tableType": type(table).__name__, "path": sys.path, "noSite": sys.flags.no_site,
    "userSite": site.ENABLE_USER_SITE,
    "builtins": sorted(n for n in ("exit", "quit", "help", "copyright", "credits", "license") if hasattr(builtins, n)),
    "imported": [m.__name__ for m in (csv, fractions, statistics)], "reusedRead": reused.read(),
}))
`;

// Lists the modules imported from the binary's ZIP before the app's first
// line, with how each entry is stored (0 stored, 8 deflated).
const EARLY_APP = `
import sys
prefix = sys.executable + "/"
early = sorted(
    m.__spec__.origin[len(prefix):] for m in list(sys.modules.values())
    if (getattr(getattr(m, "__spec__", None), "origin", None) or "").startswith(prefix)
)
import json, zipfile
with zipfile.ZipFile(sys.executable) as z:
    kinds = {i.filename: i.compress_type for i in z.infolist()}
print(json.dumps({"early": {entry: kinds.get(entry) for entry in early}, "json": kinds["json/__init__.pyc"]}))
`;

// The stdlib's docstrings and instruction columns are compiled out
// (compile-stdlib.py), not the app's; the stdlib's asserts and line numbers stay.
const DOC_APP = `
"""The app's own docstring."""
import dis, email._header_value_parser as parser, importlib.util, json
def documented():
    """Kept."""
def asserts(code):
    return any(i.opname == "LOAD_ASSERTION_ERROR" for i in dis.get_instructions(code)) or any(
        asserts(c) for c in code.co_consts if hasattr(c, "co_code"))
def positions(code):
    lines = {line for line, _, _, _ in code.co_positions() if line is not None}
    columns = {column for _, _, column, _ in code.co_positions() if column is not None}
    return {"lines": len(lines) > 1, "columns": len(columns) > 1}
print(json.dumps({
    "app": __doc__, "function": documented.__doc__, "stdlibModule": json.__doc__, "stdlibFunction": json.dumps.__doc__,
    "stdlibAsserts": asserts(parser.__loader__.get_code(parser.__name__)), "pydocData": bool(importlib.util.find_spec("pydoc_data")),
    "appPositions": positions(asserts.__code__), "stdlibPositions": positions(json.dumps.__code__),
}))
`;

for (const python of TEST_PYTHONS) {
  describe(`launcher, CPython ${python}`, { timeout: TIMEOUT }, () => {
    test('runs its own ZIP, with argv unchanged (even -c and -m) and PYTHON* ignored', async () => {
      const app = await buildScript(python, ARGV_APP, 'argv-app');
      const evil = mkdtempSync(join(tmpdir(), 'pybin-evil-'));
      writeFileSync(join(evil, 'json.py'), 'raise SystemExit("PYTHONPATH was honoured")\n');
      const args = ['-c', 'print(1)', '-m', 'json', '--flag', 'héllo ☃', ''];
      const result = await run(app, args, {
        env: { PYTHONPATH: evil, PYTHONHOME: '/nonexistent', PYTHONOPTIMIZE: '2', PYTHONSTARTUP: join(evil, 'json.py'), PYTHONINSPECT: '1' },
      });
      assert.equal(result.stderr, '');
      assert.equal(result.status, 0);
      const seen = JSON.parse(result.stdout);
      assert.deepEqual(seen.argv, [app, ...args]);
      assert.equal(seen.optimize, 0);
      assert.equal(seen.path0, app, 'the binary itself is sys.path[0]');
      assert.equal(seen.executable, app);
    });

    test('hands zipimport the ZIP table zipimport itself would read, skips site but keeps its builtins, and imports after the app closes every descriptor', async () => {
      const app = await buildScript(python, START_APP, 'start-app');
      const result = await run(app, []);
      assert.equal(result.stderr, '');
      assert.equal(result.status, 0);
      const seen = JSON.parse(result.stdout);
      assert.equal(seen.same, true, 'the launcher built the same table as zipimport._read_directory');
      assert.ok(seen.names > 300, `the stdlib is in the table (${seen.names} names)`);
      assert.equal(seen.tableType, 'ZipTable', "the launcher's table, not one zipimport read itself");
      assert.deepEqual(seen.path, [app]);
      assert.equal(seen.noSite, 1);
      assert.equal(seen.userSite, false);
      assert.deepEqual(seen.builtins, ['copyright', 'credits', 'exit', 'help', 'license', 'quit']);
      assert.deepEqual(seen.imported, ['csv', 'fractions', 'statistics']);
      assert.equal(seen.reusedRead, 'hello', 'the file that took the closed descriptor number reads as itself');
    });

    test('an app of over 65,535 ZIP entries (zip64 end records, which zipimport reads only from 3.13) starts from the launcher\'s table', async () => {
      const app = mkdtempSync(join(tmpdir(), 'pybin-zip64-'));
      mkdirSync(join(app, 'many'));
      writeFileSync(join(app, 'many', '__init__.py'), '');
      for (let i = 0; i < 66_000; i++) writeFileSync(join(app, 'many', `m${i}.py`), `VALUE = ${i}\n`);
      writeFileSync(join(app, '__main__.py'), [
        'import sys, zipimport, many.m65999 as last',
        'table = zipimport._zip_directory_cache[sys.executable]',
        'print(last.VALUE, type(table).__name__, len(list(table)) > 65535)',
      ].join('\n') + '\n');
      const binary = await buildApp(python, app, ['--name', 'zip64', '--no-sources']);
      const result = await run(binary, []);
      assert.equal(result.stderr, '');
      assert.equal(result.stdout, '65999 ZipTable True\n');
    });

    test('what start-up imports from the ZIP is stored (no inflating before the app runs), the rest of the stdlib deflated', async () => {
      const app = await buildScript(python, EARLY_APP, 'early-app');
      const result = await run(app, []);
      assert.equal(result.stderr, '');
      assert.equal(result.status, 0);
      const seen = JSON.parse(result.stdout);
      assert.ok('encodings/__init__.pyc' in seen.early && '_pybin_boot.pyc' in seen.early, JSON.stringify(seen.early));
      // A module a new CPython imports at start-up fails here until it joins STARTUP_STDLIB (src/bundle/bundle.ts).
      for (const [entry, kind] of Object.entries(seen.early)) assert.equal(kind, 0, `${entry} is stored`);
      assert.equal(seen.json, 8, 'json/__init__.pyc is deflated');
    });

    test('the stdlib comes without docstrings or columns (its asserts and line numbers kept), the app keeps its own', async () => {
      const app = await buildScript(python, DOC_APP, 'doc-app');
      const result = await run(app, []);
      assert.equal(result.stderr, '');
      assert.deepEqual(JSON.parse(result.stdout), {
        app: "The app's own docstring.", function: 'Kept.', stdlibModule: null, stdlibFunction: null, stdlibAsserts: true, pydocData: false,
        appPositions: { lines: true, columns: true }, stdlibPositions: { lines: true, columns: false },
      });
    });

    for (const target of python === '3.11' ? [undefined, 'x86_64-linux-gnu'] : [undefined]) {
      test(`exit status, exceptions, SIGTERM, SIGINT and SIGPIPE behave as with python app.py${target ? ` (${target})` : ''}`, async () => {
        const app = await buildScript(python, EXIT_APP, 'exit-app', target ? ['--target', target] : []);
        const script = join(mkdtempSync(join(tmpdir(), 'pybin-exit-')), 'app.py');
        writeFileSync(script, EXIT_APP);
        const both = async (args: string[], signal?: NodeJS.Signals) => {
          const onOutput = signal
            ? (out: string, child: { kill: (s: NodeJS.Signals) => void }) => out.includes('ready') && child.kill(signal)
            : undefined;
          const ours = await run(app, args, { onOutput });
          const reference = await run('python3', [script, ...args], { onOutput });
          return { ours, reference };
        };

        const exit3 = await both(['exit3']);
        assert.equal(exit3.ours.status, 3);
        const raised = await both(['raise']);
        assert.equal(raised.ours.status, 1);
        assert.match(raised.ours.stderr, /RuntimeError: boom/);
        const term = await both(['wait'], 'SIGTERM');
        assert.equal(term.ours.signal, 'SIGTERM');
        const int = await both(['wait'], 'SIGINT');
        assert.match(int.ours.stderr, /KeyboardInterrupt/);
        for (const { ours, reference } of [exit3, raised, term, int]) {
          assert.deepEqual([ours.status, ours.signal], [reference.status, reference.signal]);
        }
        // SIGPIPE: Python ignores it and reports a broken pipe the same way.
        const pipe = async (command: string) => run('bash', ['-c', `${command} flood | head -c 10 >/dev/null; echo "\${PIPESTATUS[0]}"`]);
        assert.equal((await pipe(app)).stdout, (await pipe(`python3 ${script}`)).stdout);
      });
    }

    test('with no ZIP appended it is python3: -c, -m, a script, the REPL on stdin', async () => {
      const toolchain = await testToolchain(python);
      const launcher = join(toolchain.dir, toolchain.metadata.launcher);
      const c = await run(launcher, ['-c', 'import sys; print(sys.argv, sys.version_info[:2])', 'a'], { env: {} });
      assert.equal(c.stdout.trim(), `['-c', 'a'] (${python.replace('.', ', ')})`, c.stderr);
      const m = await run(launcher, ['-m', 'json.tool', '--compact'], { env: {}, input: '{"a": [1, 2]}' });
      assert.equal(m.stdout.trim(), '{"a":[1,2]}');
      const dir = mkdtempSync(join(tmpdir(), 'pybin-script-'));
      writeFileSync(join(dir, 'helper.py'), 'VALUE = 41\n');
      writeFileSync(join(dir, 'main.py'), 'import helper, sys\nprint(helper.VALUE + 1, sys.argv[1:])\n');
      const script = await run(launcher, [join(dir, 'main.py'), 'x'], { env: {} });
      assert.equal(script.stdout.trim(), "42 ['x']");
      const repl = await run(launcher, [], { env: {}, input: 'x = 6\nprint(x * 7)\n' });
      assert.equal(repl.stdout.trim(), '42');
      assert.equal((await run(join(toolchain.dir, 'bin', 'python3'), ['-c', 'print(6 * 7)'], { env: {} })).stdout.trim(), '42');
    });

    test('as python3 it honours PYTHONPATH and PYTHON* variables, and -E, -I and -P switch them off', async () => {
      const toolchain = await testToolchain(python);
      const launcher = join(toolchain.dir, toolchain.metadata.launcher);
      const extra = mkdtempSync(join(tmpdir(), 'pybin-pythonpath-'));
      writeFileSync(join(extra, 'extramod.py'), 'WHERE = "pythonpath"\n');
      const probe = 'import sys\ntry:\n    import extramod; print(extramod.WHERE)\nexcept ImportError:\n    print("none")\nprint(sys.flags.optimize, sys.flags.no_user_site)';
      const env = { PYTHONPATH: `${extra}:/nonexistent`, PYTHONOPTIMIZE: '1', PYTHONNOUSERSITE: '1' };
      const honoured = await run(launcher, ['-c', probe], { env });
      assert.equal(honoured.stdout, 'pythonpath\n1 1\n', honoured.stderr);
      for (const flag of ['-E', '-I']) {
        const ignored = await run(launcher, [flag, '-c', probe], { env });
        assert.equal(ignored.stdout, `none\n0 ${flag === '-I' ? 1 : 0}\n`, `${flag}: ${ignored.stderr}`);
      }
      // -P: the script's directory no longer leads sys.path.
      const dir = mkdtempSync(join(tmpdir(), 'pybin-safepath-'));
      writeFileSync(join(dir, 'extramod.py'), 'WHERE = "script dir"\n');
      writeFileSync(join(dir, 'main.py'), probe);
      assert.equal((await run(launcher, [join(dir, 'main.py')], { env: {} })).stdout.split('\n')[0], 'script dir');
      assert.equal((await run(launcher, ['-P', join(dir, 'main.py')], { env: {} })).stdout.split('\n')[0], 'none');
    });

    test('PYBIN_INTERPRETER=1 makes an app python3, and does not reach the processes it starts', async () => {
      const app = await buildScript(python, 'import sys\nprint("app", sys.argv[1:])\n', 'interp-app');
      const env = { PYBIN_INTERPRETER: '1' };
      assert.equal((await run(app, ['-c', 'print("python")'], { env })).stdout.trim(), 'python');
      assert.equal((await run(app, ['-c', 'print("python")'])).stdout.trim(), "app ['-c', 'print(\"python\")']");
      // python (the app as interpreter) starting the app: the app runs as an app.
      const nested = await run(app, ['-c', 'import os, subprocess, sys; print(os.environ.get("PYBIN_INTERPRETER")); sys.stdout.flush(); subprocess.run([sys.executable, "x"])'], { env });
      assert.equal(nested.stdout, "None\napp ['x']\n", nested.stderr);
      // The toolchain's python3 starting an app: the app runs as an app.
      const toolchain = await testToolchain(python);
      const child = await run(join(toolchain.dir, 'bin', 'python3'), ['-c', 'import subprocess, sys; subprocess.run([sys.argv[1], "y"])', app], { env: {} });
      assert.equal(child.stdout, "app ['y']\n", child.stderr);
    });
  });
}
