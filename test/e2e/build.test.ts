import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { openAppendedZip } from '../../src/plumbing/appended-zip.js';
import { packageRoot } from '../../src/plumbing/package-root.js';
import { sha256 } from '../../src/plumbing/hash.js';
import { inChroot } from '../support/chroot.js';
import { buildBinary, pybinBuild } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';
import { run } from '../support/run.js';
import { TEST_PYTHONS } from '../support/toolchain.js';
import { buildWheel } from '../support/wheel.js';

const APPS = join(packageRoot(), 'test', 'fixtures', 'apps');
const refusalPython = TEST_PYTHONS[0]!;


function assertNothingLeft(out: string) {
  const left = existsSync(out) ? readdirSync(out).filter((f) => f !== 'SHA256SUMS') : [];
  assert.deepEqual(left, [], 'no output file or temporary left behind');
}

for (const python of TEST_PYTHONS) {
  describe(`pybin build (CPython ${python})`, { timeout: 30 * 60_000 }, () => {
    test('(a) an argparse CLI: exit codes, stdin, unicode argv, -c is the app\'s', async (t) => {
      const out = tempDir('out-a');
      const binary = await buildBinary(python, [join(APPS, 'cli'), '--name', 'cli', '--out', out, '--smoke-test', 'smoke "two words"']);
      assert.equal(binary, join(out, 'cli-linux-x86_64'));
      const sums = readFileSync(join(out, 'SHA256SUMS'), 'utf8');
      const beside = ['cli-linux-x86_64', 'cli-linux-x86_64.cdx.json', 'cli-linux-x86_64.notices.txt'];
      assert.equal(sums, beside.map((file) => `${sha256(readFileSync(join(out, file)))}  ${file}\n`).join(''));

      const result = await run(binary, ['héllo', '☃', '-c', '7', '--exit', '5', '--stdin'], { input: 'ünïcode in\n' });
      assert.equal(result.status, 5);
      assert.equal(result.stdout, 'ÜNÏCODE IN\nwords: héllo ☃\ncount: 7\n');
      const help = await run(binary, ['--help']);
      assert.match(help.stdout, /usage: cli/);
      const bad = await run(binary, ['--exit', 'x']);
      assert.equal(bad.status, 2);

      await t.test('in an empty root', async (t) => {
        const chrooted = await inChroot(t, binary, ['ok', '--exit', '3']);
        if (!chrooted) return; // skipped, saying why
        assert.equal(chrooted.status, 3, chrooted.stderr);
        assert.equal(chrooted.stdout, 'words: ok\n');
      });
    });

    test('(a) is byte-reproducible from another copy with other mtimes', async () => {
      const builds = [];
      for (const when of [new Date('2001-02-03T04:05:06Z'), new Date()]) {
        const copy = join(tempDir('copy'), 'cli');
        cpSync(join(APPS, 'cli'), copy, { recursive: true });
        for (const file of readdirSync(copy)) utimesSync(join(copy, file), when, when);
        builds.push(readFileSync(await buildBinary(python, [copy, '--name', 'cli', '--out', tempDir('out-r')])));
      }
      assert.equal(sha256(builds[0]!), sha256(builds[1]!));
    });

    test('a dependency\'s module this Python cannot compile ships as source only, with one warning, as pip does; one of the app\'s own fails the build', async (t) => {
      const wheels = tempDir('wheels');
      // Syntax no released CPython accepts stands for "a newer version's syntax" on every version tested.
      buildWheel(wheels, {
        name: 'newerlib',
        version: '1.0',
        files: { 'newerlib/__init__.py': '', 'newerlib/ok.py': 'WORD = "fine"\n', 'newerlib/future_a.py': 'def f(:\n    pass\n', 'newerlib/future_b.py': 'def g(:\n    pass\n' },
      });
      const env = { ...process.env, PIP_NO_INDEX: '1', PIP_FIND_LINKS: wheels };
      const app = tempDir('newer-syntax');
      writeFileSync(join(app, 'requirements.txt'), 'newerlib==1.0\n');
      writeFileSync(join(app, '__main__.py'), [
        'import newerlib.ok',
        'print(newerlib.ok.WORD)',
        'try:',
        '    import newerlib.future_a',
        'except SyntaxError as error:',
        '    print("SyntaxError", error.filename)',
      ].join('\n') + '\n');
      const out = tempDir('out-newer');
      const built = await pybinBuild(python, [app, '--name', 'newer', '--out', out, '--no-sources'], env);
      assert.equal(built.status, 0, built.stderr);
      const warnings = built.stderr.split('\n').filter((line) => /could not be compiled/.test(line));
      assert.equal(warnings.length, 1, built.stderr);
      assert.match(warnings[0]!, /2 files of the app's dependencies could not be compiled by Python 3\.\d+\.\d+ and ship as source only \(newerlib\/future_a\.py, newerlib\/future_b\.py; SyntaxError: /);
      const result = await run(join(out, 'newer-linux-x86_64'), []);
      assert.equal(result.status, 0, result.stderr);
      // As zipimport names a module's source: the archive's path, then the member's.
      assert.equal(result.stdout, `fine\nSyntaxError ${join(out, 'newer-linux-x86_64', 'newerlib', 'future_a.py')}\n`);
      const zip = openAppendedZip(join(out, 'newer-linux-x86_64'))!;
      const listing = [...zip.members.keys()];
      zip.close();
      assert.ok(listing.includes('newerlib/future_a.py') && !listing.includes('newerlib/future_a.pyc'), 'the source stays, without a .pyc');
      assert.ok(listing.includes('newerlib/ok.pyc') && !listing.includes('newerlib/ok.py'), '--no-sources drops what was compiled');

      await t.test('a syntax error in the app\'s own code stops the build, naming the file', async () => {
        writeFileSync(join(app, 'helper.py'), 'def broken(:\n    pass\n');
        const failed = await pybinBuild(python, [app, '--name', 'newer', '--out', tempDir('out-newer-own')], env);
        assert.equal(failed.status, 1);
        assert.match(failed.stderr, /pybin: error: compiling the app failed \(helper\.py\):[\s\S]*SyntaxError/);
      });
    });

    test('(b) data files through __file__, pathlib, importlib.resources and pkgutil; writes are refused', async (t) => {
      const out = tempDir('out-b');
      const binary = await buildBinary(python, [join(APPS, 'data'), '--out', out, '--no-sources']);
      const expected = {
        open: 'Grüß dich', open_rb: 'Grüß dich', exists: true, missing: false, isfile: true, isdir: true,
        getsize: 12, listdir: ['greeting.txt', 'sub'], scandir: [['greeting.txt', false], ['sub', true]],
        walk: ['greeting.txt', 'numbers.json'], pathlib_text: 'Grüß dich', pathlib_bytes: 10, pathlib_open: [1, 2, 3],
        pathlib_iterdir: ['greeting.txt', 'sub'], pathlib_exists: true, resources: 'Grüß dich', get_data: 'Grüß dich',
        file_is_inside: true,
      };
      const result = await run(binary, []);
      assert.equal(result.status, 0, result.stderr);
      assert.deepEqual(JSON.parse(result.stdout), expected);
      const write = await run(binary, ['--write']);
      assert.equal(write.status, 1);
      assert.match(write.stderr, /OSError: \[Errno 30\] pybin: files inside the executable are read-only .*--extract/);
      await t.test('in an empty root', async (t) => {
        const chrooted = await inChroot(t, binary, []);
        if (!chrooted) return; // skipped, saying why
        assert.equal(chrooted.status, 0, chrooted.stderr);
        assert.deepEqual(JSON.parse(chrooted.stdout), expected, chrooted.stderr);
      });
    });

    test('(c) a pyproject app with a dependency from a local wheel and an entry-point plugin', async (t) => {
      const wheels = tempDir('wheels');
      buildWheel(wheels, {
        name: 'greetplug',
        version: '0.3.0',
        files: { 'greetplug/__init__.py': 'def shout(name):\n    return f"HELLO, {name.upper()}!"\n' },
        entryPoints: { 'greeter.plugins': { shout: 'greetplug:shout' } },
      });
      const app = join(tempDir('pyproj'), 'pyproj');
      cpSync(join(APPS, 'pyproj'), app, { recursive: true });
      const out = tempDir('out-c');
      const env = { ...process.env, PIP_NO_INDEX: '1', PIP_FIND_LINKS: wheels };
      const binary = await buildBinary(python, [app, '--out', out, '--smoke-test', 'smoke'], env);
      assert.equal(binary, join(out, 'greeter-linux-x86_64'), 'named after [project].name');
      const result = await run(binary, ['Ada']);
      assert.equal(result.stdout, 'shout: HELLO, ADA!\ngreeter 1.2.0 with greetplug 0.3.0\n', result.stderr);
      await t.test('in an empty root', async (t) => {
        const chrooted = await inChroot(t, binary, ['Ada']);
        if (!chrooted) return; // skipped, saying why
        assert.equal(chrooted.stdout, result.stdout, chrooted.stderr);
      });
    });

    test('(d) static musl: compiled modules are judged by behaviour, kept out, the distribution in if it works without them', async () => {
      const wheels = tempDir('wheels-native');
      const so = `cpython-${python.replace('.', '')}-x86_64-linux-gnu.so`;
      // Imports its compiled module unconditionally: cannot work in a static binary.
      buildWheel(wheels, { name: 'fastthing', version: '1.0', files: { 'fastthing/__init__.py': 'from ._speedups import fast\n', [`fastthing/_speedups.${so}`]: '\u007fELF' } });
      // Falls back to pure Python, like markupsafe or pyyaml.
      buildWheel(wheels, { name: 'dualthing', version: '1.0', files: { 'dualthing/__init__.py': 'try:\n    from ._core import X\nexcept ImportError:\n    X = 1\n', [`dualthing/_core.${so}`]: '\u007fELF' } });
      const env = { ...process.env, PIP_NO_INDEX: '1', PIP_FIND_LINKS: wheels };
      const app = tempDir('native-app');
      writeFileSync(join(app, '__main__.py'), 'import dualthing\nprint(dualthing.X)\n');
      writeFileSync(join(app, 'requirements.txt'), 'dualthing\n');
      const out = tempDir('out-d');
      const ok = await pybinBuild(python, [app, '--name', 'dual', '--out', out, '--smoke-test', ''], env);
      assert.equal(ok.status, 0, ok.stderr);
      assert.match(ok.stderr, /warning: dualthing: works without its compiled modules \(dualthing\._core\)/);
      assert.equal((await run(join(out, 'dual-linux-x86_64'), [])).stdout, '1\n');
      const listing = await run(join(out, 'dual-linux-x86_64'), ['-c', 'import sys, zipfile; print([n for n in zipfile.ZipFile(sys.executable).namelist() if n.endswith(".so")])'], { env: { PYBIN_INTERPRETER: '1' } });
      assert.equal(listing.stdout, '[]\n', 'no compiled module shipped');

      writeFileSync(join(app, 'requirements.txt'), 'fastthing\ndualthing\n');
      const refused = await pybinBuild(python, [app, '--name', 'native', '--out', out, '--target', 'x86_64-linux-musl'], env);
      assert.equal(refused.status, 1);
      assert.match(refused.stderr, new RegExp(`and these distributions need theirs:\\n\\s+fastthing: fastthing/_speedups\\.${so.replace(/\./g, '\\.')}\\n\\s+without them: import fastthing: (ModuleNotFoundError|ImportError)`));
      assert.match(refused.stderr, /Use --target x86_64-linux-gnu/);
      assert.doesNotMatch(refused.stderr, /dualthing: dualthing/, 'only the distribution that fails is named');
      assert.ok(!existsSync(join(out, 'native-linux-x86_64')));
    });

    test('(e) --extract unpacks once per content hash, safely under concurrent first runs', async (t) => {
      const out = tempDir('out-e');
      const binary = await buildBinary(python, [join(APPS, 'data'), '--name', 'extracted', '--out', out, '--extract']);
      const cache = tempDir('xdg');
      const env = { XDG_CACHE_HOME: cache, PATH: '/usr/bin:/bin' };
      const runs = await Promise.all(Array.from({ length: 6 }, () => run(binary, [], { env })));
      for (const r of runs) {
        assert.equal(r.status, 0, r.stderr);
        const seen = JSON.parse(r.stdout);
        assert.equal(seen.open, 'Grüß dich');
        assert.equal(seen.file_is_inside, false, 'the app runs from real files');
      }
      const apps = readdirSync(join(cache, 'pybin', 'apps')).filter((f) => !f.endsWith('.lock'));
      assert.equal(apps.length, 1, `one extraction, no leftovers: ${apps}`);
      assert.ok(existsSync(join(cache, 'pybin', 'apps', apps[0]!, 'datapkg', 'data', 'greeting.txt')));
      const write = await run(binary, ['--write'], { env });
      assert.equal(write.status, 0, 'real files are writable');
      await t.test('in an empty root', async (t) => {
        const chrooted = await inChroot(t, binary, [], { XDG_CACHE_HOME: '/tmp' });
        if (!chrooted) return; // skipped, saying why
        assert.equal(chrooted.status, 0, chrooted.stderr);
        assert.equal(JSON.parse(chrooted.stdout).open, 'Grüß dich', chrooted.stderr);
      });
    });
  });
}

describe('pybin build refuses bad input clearly, leaving nothing behind', { timeout: 30 * 60_000 }, () => {
  const refuse = async (args: string[], pattern: RegExp, env?: NodeJS.ProcessEnv) => {
    const out = tempDir('out-bad');
    const result = await pybinBuild(refusalPython, [...args, '--out', out], env);
    assert.notEqual(result.status, 0);
    assert.match(result.stderr, pattern);
    assert.doesNotMatch(result.stderr, /\n\s+at .*:\d+:\d+\)?\n/, 'no stack trace');
    assertNothingLeft(out);
  };
  const appWith = (files: Record<string, string>) => {
    const dir = tempDir('bad-app');
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(join(dir, name, '..'), { recursive: true });
      writeFileSync(join(dir, name), text);
    }
    return dir;
  };

  test('a missing app dir', () => refuse(['/no/such/app'], /app dir \/no\/such\/app does not exist/));
  test('no entry point', () => refuse([appWith({ 'lib.py': '' })], /no entry point found/));
  test('bad entry syntax', () => refuse([appWith({ 'm.py': '' }), '--entry', 'm:'], /"m:" is not a valid entry point/));
  test('a missing entry module', () => refuse([appWith({ 'm.py': '' }), '--entry', 'nope:main'], /entry point nope:main: module nope is not in the app/));
  test('a missing entry function', () => refuse([appWith({ 'm.py': 'def run(): pass\n' }), '--entry', 'm:main'], /entry point m:main: module m \(m\.py\) has no top-level main/));
  test('unresolvable requirements show pip\'s message', () =>
    refuse([appWith({ '__main__.py': '', 'requirements.txt': 'no-such-dist-xyz==1\n' })], /pip could not install it:[\s\S]*(No matching distribution|Could not find a version)/, { ...process.env, PIP_NO_INDEX: '1' }));
  test('a --name with a path separator', () => refuse([appWith({ '__main__.py': '' }), '--name', '../evil'], /--name "\.\.\/evil" must be a plain file name/));
  test('a symlink out of the app dir', () => {
    const app = appWith({ '__main__.py': '' });
    symlinkSync('/etc/passwd', join(app, 'passwd'));
    return refuse([app], /passwd is a symlink to \/etc\/passwd, outside the app dir/);
  });
  test('an unwritable output dir', async () => {
    const file = join(tempDir('file'), 'plain');
    writeFileSync(file, '');
    const result = await pybinBuild(refusalPython, [appWith({ '__main__.py': '' }), '--out', join(file, 'out')]);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /output dir .*plain\/out is not writable .*--out/);
  });
  test('a failing smoke test fails the build and shows the output', () =>
    refuse([appWith({ '__main__.py': 'import sys\nprint("bad things")\nsys.exit(7)\n' }), '--smoke-test', '--x'], /--smoke-test: `.* --x` exited 7; its output:\nbad things/));
});
