// Compiled extension modules in a glibc binary: an app using numpy, pydantic,
// orjson, psutil, cryptography (+cffi), pyyaml and markupsafe
// (test/fixtures/apps/compiled) is built with the default --target auto,
// which moves to x86_64-linux-gnu; its output is compared with the same app in
// a venv of a real CPython 3.11, and the binary is checked to write no file
// (strace), to need only manylinux system libraries (its DT_NEEDED), to run in
// a chroot holding just those and /proc (and to say so in one line without
// /proc), to build reproducibly and to work with --extract. The static musl
// target refuses the app, and a pure app stays static under auto.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { compareGlibc, glibcFloor, readElfDynamic } from '../../src/plumbing/elf.js';
import { sha256 } from '../../src/plumbing/hash.js';
import { packageRoot } from '../../src/plumbing/package-root.js';
import { MANYLINUX_SYSTEM_LIBRARIES } from '../../src/toolchain/targets.js';
import { inChroot, programInterpreter, systemLibraries } from '../support/chroot.js';
import { pybinBuild } from '../support/cli.js';
import { pipEnv, tmp } from '../support/corpus.js';
import { findRealPython, type RealPython } from '../support/real-python.js';
import { run, type RunResult } from '../support/run.js';
import { TEST_PYTHONS } from '../support/toolchain.js';
import { cachedVenv } from '../support/venv.js';

/** The wheel mirror holds these compiled wheels for cp311 only (PyPI has them for every version). */
const python = TEST_PYTHONS.find((p) => p === '3.11');
const APPS = join(packageRoot(), 'test', 'fixtures', 'apps');
const APP = join(APPS, 'compiled');
const BINARY_NAME = 'compiled-linux-x86_64';
/** A fixed, small environment: the runs compare output, nothing else may differ. */
const ENV: NodeJS.ProcessEnv = { PATH: '/usr/bin:/bin', LC_ALL: 'C.UTF-8' };
const RUN_TIMEOUT_MS = 5 * 60_000;
const STRACE = ['/usr/bin/strace', '/bin/strace'].find((p) => existsSync(p));
/** Distributions of the app that cannot work without their compiled modules; pyyaml and markupsafe can (and lose speed). */
const NEED_COMPILED = ['cffi', 'numpy', 'orjson', 'psutil', 'pydantic-core'];
const FALLBACKS = ['pyyaml', 'markupsafe'];

/** What the app prints before its pools: pinned versions make every line fixed. */
const REPORT = [
  'numpy 2.4.6 True',
  'numpy matmul [[5.0, 5.0], [5.0, 10.0]]',
  'numpy solve [0.8, 1.4]',
  'numpy inv [[0.6, -0.2], [-0.2, 0.4]] eigvalsh [1.381966, 3.618034]',
  'numpy fft [28.0, -4.0, -4.0, -4.0, -4.0]',
  'yaml libyaml True True',
  `yaml round trip True 'list:\\n- 1\\n- 2.5\\n- null\\n- true\\nname: pybin\\nnested:\\n  k: "\\\\xFC"\\n'`,
  'markupsafe C escape True True',
  'markupsafe &lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;',
  'pydantic True {"x":3,"y":1.0,"tags":["a"]}',
  'pydantic error 2 2 validation errors for Point | x |   Input should be a valid integer, unable to parse string as an integer ' +
    "[type=int_parsing, input_value='three', input_type=str] |     For further information visit https://errors.pydantic.dev/2.13/v/int_parsing | " +
    'y |   Input should be a valid number [type=float_type, input_value=[], input_type=list] |     For further information visit https://errors.pydantic.dev/2.13/v/float_type',
  'orjson True {"list":[1,2.5,null,true],"name":"pybin","nested":{"k":"ü"}}',
  'orjson numpy [[1,0],[0,1]]',
  'psutil True True True True True True',
  'cryptography True True 100',
  'sha256 6ee3f9fed7463ce2a38cbacaf129d4f1c5d1b863faf730ddbefc95ecb41706f0 True',
  'cffi True 42 5 16',
];

/** work(n) of the app, as orjson prints it. */
function workJson(n: number, module: string, worker: boolean): string {
  const [a, b, c, d] = [n, n + 1, n + 2, n + 3];
  const square = [[a * a + b * c, a * b + b * d], [c * a + d * c, c * b + d * d]];
  return `{"compiled":true,"det":-2.0,"module":"${module}","n":${n},"square":${JSON.stringify(square)},"worker":${worker}}`;
}

/** The app's whole output for these start methods: spawned and forkserver children re-run the script as __mp_main__. */
function expectedOutput(methods: string[]): string {
  const pool = (method: string) =>
    `${method} [${[0, 1, 2, 3].map((n) => `'${workJson(n, method === 'fork' ? '__main__' : '__mp_main__', true)}'`).join(', ')}]`;
  return [...REPORT, ...methods.map(pool), ''].join('\n');
}

interface Build {
  result: RunResult;
  binary: string;
  seconds: number;
}

async function build(app: string, args: string[], env = pipEnv()): Promise<Build> {
  const out = tmp('out');
  const started = Date.now();
  const result = await pybinBuild(python!, [app, '--out', out, ...args], env);
  return { result, binary: join(out, args.includes('--name') ? `${args[args.indexOf('--name') + 1]}-linux-x86_64` : BINARY_NAME), seconds: (Date.now() - started) / 1000 };
}

/** The compiled app built once for the file, with the default target: every test below shares it. */
let compiledBuild: Promise<Build> | undefined;
async function builtApp(): Promise<string> {
  const built = await (compiledBuild ??= build(APP, ['--name', 'compiled']));
  assert.equal(built.result.status, 0, `pybin build of the compiled app failed:\n${built.result.stderr}`);
  assert.equal(built.result.stdout.trim().split('\n').at(-1), built.binary);
  return built.binary;
}

/** A venv of a real CPython 3.11 with the app's requirements (cached, as the corpus's). */
async function referenceVenv(real: RealPython): Promise<string> {
  const requirements = join(APP, 'requirements.txt');
  return join(await cachedVenv(real, 'compiled', ['-r', requirements], readFileSync(requirements, 'utf8')), 'bin', 'python');
}

function runApp(binary: string, args: string[], env: NodeJS.ProcessEnv = ENV): Promise<RunResult> {
  return run(binary, args, { env, timeoutMs: RUN_TIMEOUT_MS });
}

/** The shared objects inside the binary's ZIP, read out by the binary itself as an interpreter: member name -> bytes. */
async function sharedObjects(binary: string): Promise<Map<string, Buffer>> {
  const dir = tmp('so');
  const code = [
    'import re, sys, zipfile',
    'archive = zipfile.ZipFile(sys.argv[1])',
    'names = [n for n in archive.namelist() if re.search(r"\\.so(\\.\\d+)*$", n)]',
    'for name in names: archive.extract(name, sys.argv[2])',
    'print("\\n".join(names))',
  ].join('\n');
  const listed = await run(binary, ['-I', '-c', code, binary, dir], { env: { ...ENV, PYBIN_INTERPRETER: '1' } });
  assert.equal(listed.status, 0, listed.stderr);
  const names = listed.stdout.trim().split('\n').filter(Boolean);
  return new Map(names.map((n) => [n, readFileSync(join(dir, n))]));
}

/** The names a bundled library is known by (auditwheel names each file as its SONAME). */
function bundledNames(objects: Map<string, Buffer>): Set<string> {
  return new Set([...objects.keys()].map((n) => n.split('/').at(-1)!));
}

const OPEN_CALLS = new Set(['open', 'openat', 'openat2', 'creat']);
const PATH_CALLS = new Set(['mkdir', 'mkdirat', 'rename', 'renameat', 'renameat2', 'unlink', 'unlinkat', 'rmdir', 'link', 'linkat', 'symlink', 'symlinkat', 'truncate', 'mknod', 'mknodat']);
const FD_WRITES = new Set(['write', 'pwrite64', 'writev', 'pwritev', 'pwritev2', 'ftruncate', 'fallocate', 'sendfile']);
/** Where writing is no file on disk: POSIX semaphores and shared memory, memfds, the null device. */
const ALLOWED = (path: string) => path.startsWith('/dev/shm/') || path.startsWith('/memfd:') || path === '/dev/null';

/** Whether a line of `strace -f -y` output creates, changes or removes a file outside /dev/shm (any such attempt counts). */
function writesFile(line: string): boolean {
  const call = /^\d+\s+(\w+)\((.*)$/.exec(line);
  if (!call) return false; // a resumed call's tail, a signal, an exit
  const [, name, args] = call as unknown as [string, string, string];
  const paths = [...args.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!);
  if (OPEN_CALLS.has(name)) {
    const path = paths[0] ?? '';
    const flags = name === 'creat' ? 'O_CREAT' : args.slice(args.indexOf(`"${path}"`) + path.length + 2);
    return /O_WRONLY|O_RDWR|O_CREAT|O_TRUNC/.test(flags) && !(path.startsWith('/') && ALLOWED(path));
  }
  if (PATH_CALLS.has(name)) return paths.some((p) => !(p.startsWith('/') && ALLOWED(p)));
  if (FD_WRITES.has(name)) {
    // -y shows what a descriptor is: `3</path>` for a file, `1<pipe:[123]>`, `4</memfd:x (deleted)>`.
    const target = /^\d+<(.*?)>,/.exec(args)?.[1];
    return target !== undefined && target.startsWith('/') && !ALLOWED(target);
  }
  return false;
}

/** Run the binary under strace, following its children: the calls that touch files, and those that write one outside /dev/shm. */
async function traced(binary: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ result: RunResult; lines: string[]; writes: string[] }> {
  const log = join(tmp('strace'), 'trace');
  // %file: every call naming a path (open*, creat, mkdir, rename, link, symlink, unlink, truncate, ...);
  // %desc: every call on a descriptor (write, ftruncate, ...), shown with what it is (-y).
  const command = ['-f', '-qq', '-y', '-s', '16', '-o', log, '-e', 'trace=%file,%desc,memfd_create', binary, ...args];
  const result = await run(STRACE!, command, { env, timeoutMs: RUN_TIMEOUT_MS });
  const lines = readFileSync(log, 'utf8').split('\n');
  return { result, lines, writes: lines.filter(writesFile) };
}

describe('compiled extension modules in a glibc binary (CPython 3.11)', { timeout: 30 * 60_000, skip: python ? false : 'CPython 3.11 is not among PYBIN_TEST_PYTHONS' }, () => {
  test('under --target auto the app moves to the glibc target, saying which distributions need it and which glibc it requires', async (t) => {
    await builtApp();
    const built = (await compiledBuild)!;
    t.diagnostic(`built in ${built.seconds.toFixed(1)}s`);
    const { stderr } = built.result;
    const moved = /^pybin: target x86_64-linux-gnu: (.+) needs? compiled modules, which only a glibc binary loads$/m.exec(stderr);
    assert.ok(moved, `stderr says why the target moved:\n${stderr}`);
    const named = moved[1]!.split(', ');
    for (const name of NEED_COMPILED) assert.ok(named.includes(name), `${name} is named: ${moved[1]}`);
    for (const name of FALLBACKS) assert.ok(!named.includes(name), `${name} works without its compiled modules: ${moved[1]}`);
    const requires = /^pybin: requires glibc (\d+\.\d+) or newer \(set by (.+)\)$/m.exec(stderr);
    assert.ok(requires, stderr);
    const launcherFloor = glibcFloor(readElfDynamic(readFileSync(built.binary)));
    assert.ok(launcherFloor, 'the launcher links glibc with versioned symbols');
    t.diagnostic(`the launcher needs glibc ${launcherFloor}; the binary requires ${requires[1]} (set by ${requires[2]})`);
    if (compareGlibc(launcherFloor, '2.34') < 0) {
      assert.deepEqual([requires[1], requires[2]], ['2.34', 'cryptography (a manylinux_2_34 wheel)'], 'cryptography 50 is tagged manylinux_2_34');
    } else {
      assert.deepEqual([requires[1], requires[2]], [launcherFloor, 'the launcher']);
    }
    assert.match(stderr, new RegExp(`^pybin: target x86_64-linux-gnu: runs on Linux with glibc ${requires[1]!.replace('.', '\\.')} or newer$`, 'm'));
    assert.ok(existsSync(built.binary), `${BINARY_NAME}: the same name as a static binary's`);
  });

  test('its output, from numpy, pyyaml, markupsafe, pydantic, orjson, psutil, cryptography and cffi in the process and in spawn, forkserver and fork workers, is the expected one, and a real CPython venv\'s', async (t) => {
    const binary = await builtApp();
    const started = Date.now();
    const ours = await runApp(binary, []);
    t.diagnostic(`ran in ${((Date.now() - started) / 1000).toFixed(1)}s`);
    assert.equal(ours.status, 0, ours.stderr);
    assert.equal(ours.stdout, expectedOutput(['spawn', 'forkserver', 'fork']));
    assert.equal(ours.stderr, '', 'no warning (the resource tracker cleaned up)');
    const exited = await runApp(binary, ['exit']);
    assert.equal(exited.status, 3, exited.stderr);
    assert.equal(exited.stdout, `exiting with 3 ${workJson(1, '__main__', false)}\n`);

    await t.test('the same as a venv of a real CPython 3.11 prints', async (t) => {
      const real = findRealPython('3.11');
      if (!real) return t.skip('no real CPython 3.11 to compare with (set PYBIN_REAL_PYTHON_3_11)');
      const venv = await referenceVenv(real);
      t.diagnostic(`venv of ${real.path} (${real.version})`);
      const theirs = await runApp(venv, [join(APP, '__main__.py')]);
      assert.equal(theirs.status, 0, theirs.stderr);
      assert.equal(ours.stdout, theirs.stdout, 'as the venv runs the app');
      assert.equal(ours.stderr, theirs.stderr);
      const theirExit = await runApp(venv, [join(APP, '__main__.py'), 'exit']);
      assert.deepEqual([exited.status, exited.stdout, exited.stderr], [theirExit.status, theirExit.stdout, theirExit.stderr]);
    });
  });

  test('running it creates and writes no file outside /dev/shm: compiled modules load from memfds (strace)', async (t) => {
    if (!STRACE) {
      assert.notEqual(process.getuid?.(), 0, 'strace is missing, running as root (scripts/setup.sh installs it)');
      return t.skip('no strace (scripts/setup.sh installs it)');
    }
    const binary = await builtApp();
    // Not forkserver: CPython 3.11 binds its socket in a tempfile.mkdtemp() dir, as python itself does.
    const methods = ['spawn', 'fork'];
    const { result, lines, writes } = await traced(binary, methods, ENV);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout, expectedOutput(methods));
    assert.deepEqual(writes, [], 'no file is created, changed or removed outside /dev/shm');
    const memfds = lines.filter((l) => /^\d+\s+memfd_create\("/.test(l) && !/= -1/.test(l));
    const pids = new Set(memfds.map((l) => l.split(/\s/)[0]));
    t.diagnostic(`${lines.length} traced calls; ${memfds.length} memfds in ${pids.size} processes`);
    assert.ok(memfds.some((l) => l.includes('_multiarray_umath')), 'numpy\'s core module came through a memfd');
    assert.ok(pids.size >= 2, 'spawned workers load their compiled modules through memfds too');
    assert.ok(lines.some((l) => /open(at)?\(.*"\/proc\/self\/fd\/\d+", O_RDONLY/.test(l)), 'dlopen opened a memfd by /proc/self/fd/N');
    const opened = lines.flatMap((l) => /^\d+\s+open(?:at)?\([^"]*"([^"]*\.so(?:\.\d+)*)", [^<]*\) = \d+/.exec(l)?.[1] ?? []);
    assert.deepEqual(opened.filter((p) => !/^\/(usr\/)?lib(64)?\//.test(p)), [], 'shared objects come from memory, or are the system\'s');
  });

  test('its DT_NEEDED entries are in the manylinux allowlist, and so are those of its compiled modules besides their vendored libraries', async () => {
    const binary = await builtApp();
    const data = readFileSync(binary);
    const elf = readElfDynamic(data);
    assert.equal(elf.machine, 'x86_64');
    assert.equal(data.readUInt16LE(0x10), 2, 'e_type ET_EXEC: not position-independent, no relocations to apply at start');
    assert.ok(elf.needed.includes('libc.so.6'), `a glibc binary: ${elf.needed.join(', ')}`);
    assert.deepEqual(elf.needed.filter((n) => !MANYLINUX_SYSTEM_LIBRARIES.includes(n)), [], `the launcher's DT_NEEDED: ${elf.needed.join(', ')}`);
    assert.equal(programInterpreter(data), '/lib64/ld-linux-x86-64.so.2');

    const objects = await sharedObjects(binary);
    assert.ok([...objects.keys()].some((n) => n.startsWith('numpy.libs/')), 'numpy\'s vendored libraries are in the binary');
    const methods = await run(
      binary,
      ['-I', '-c', 'import sys, zipfile; print(sorted({i.compress_type for i in zipfile.ZipFile(sys.argv[1]).infolist() if ".so" in i.filename.rsplit("/", 1)[-1]}))', binary],
      { env: { ...ENV, PYBIN_INTERPRETER: '1' } },
    );
    assert.equal(methods.stdout, '[0]\n', 'compiled files are stored (ZIP_STORED), not deflated');
    const bundled = bundledNames(objects);
    const outside: string[] = [];
    for (const [name, data] of objects) {
      for (const need of readElfDynamic(data).needed) if (!bundled.has(need) && !MANYLINUX_SYSTEM_LIBRARIES.includes(need)) outside.push(`${name}: ${need}`);
    }
    assert.deepEqual(outside, []);
  });

  test('it runs in a chroot holding only the system libraries it needs and /proc', async (t) => {
    const binary = await builtApp();
    const objects = await sharedObjects(binary);
    const libraries = systemLibraries([readFileSync(binary), ...objects.values()], bundledNames(objects));
    t.diagnostic(`system files: ${libraries.join(' ')}`);
    for (const name of ['libc.so.6', 'libstdc++.so.6', 'libgcc_s.so.1', 'libz.so.1']) assert.ok(libraries.some((l) => l.endsWith(`/${name}`)), name);
    // /dev/shm: the POSIX semaphores of multiprocessing's locks, as on any system (a dir in the root, like the empty /tmp).
    const shm = { 'dev/shm/.keep': '' };
    const methods = ['spawn', 'forkserver', 'fork'];
    const chrooted = await inChroot(t, binary, methods, ENV, shm, { hostFiles: libraries, proc: true });
    if (!chrooted) return; // skipped, saying why
    assert.equal(chrooted.status, 0, chrooted.stderr);
    assert.equal(chrooted.stdout, expectedOutput(methods));
    assert.equal(chrooted.stderr, '');
  });

  test('without /proc it fails with one line naming /proc, not a traceback', async (t) => {
    const binary = await builtApp();
    const objects = await sharedObjects(binary);
    const libraries = systemLibraries([readFileSync(binary), ...objects.values()], bundledNames(objects));
    const noProc = await inChroot(t, binary, [], ENV, {}, { hostFiles: libraries });
    if (!noProc) return; // skipped, saying why
    assert.equal(noProc.status, 1, noProc.stderr);
    assert.equal(noProc.stdout, '');
    assert.match(noProc.stderr, /^pybin: [^\n]*\/proc is not mounted[^\n]*\n$/, 'one line naming /proc, no traceback');
  });

  test('the static target refuses the app, naming what needs compiled modules, and writes nothing', async () => {
    const refused = await build(APP, ['--name', 'compiled', '--target', 'x86_64-linux-musl']);
    assert.equal(refused.result.status, 1, refused.result.stderr);
    const { stderr } = refused.result;
    assert.match(stderr, /target x86_64-linux-musl is a static binary, which cannot load compiled extension modules, and these distributions need theirs:\n/);
    for (const name of NEED_COMPILED) assert.match(stderr, new RegExp(`\\n {2}${name}: \\S+\\.so[^\\n]*\\n {4}without them: `), name);
    assert.doesNotMatch(stderr, new RegExp(`\\n {2}(${FALLBACKS.join('|')}): `), 'distributions with a pure fallback are not named');
    assert.match(stderr, /Use --target x86_64-linux-gnu/);
    assert.deepEqual(readdirSync(join(refused.binary, '..')), [], 'no binary, no checksum file, no work dir');
  });

  test('a pure app under auto stays a static musl binary: no dynamic dependency at all', async () => {
    const built = await build(join(APPS, 'cli'), ['--name', 'pure']);
    assert.equal(built.result.status, 0, built.result.stderr);
    assert.match(built.result.stderr, /^pybin: target x86_64-linux-musl: a static binary, runs on any Linux x86_64$/m);
    assert.doesNotMatch(built.result.stderr, /glibc/);
    const data = readFileSync(built.binary);
    assert.deepEqual(readElfDynamic(data), { machine: 'x86_64', needed: [], versionNeeds: [], libraryNames: [] });
    assert.equal(programInterpreter(data), undefined, 'no program interpreter');
    const result = await runApp(built.binary, ['static', '--exit', '4']);
    assert.deepEqual([result.status, result.stdout], [4, 'words: static\n']);
  });

  /** The glibc the glibc launcher needs (every glibc binary of this toolchain needs as much), as "2.34". */
  async function launcherFloor(): Promise<string> {
    const floor = glibcFloor(readElfDynamic(readFileSync(await builtApp())));
    assert.ok(floor, 'the launcher links glibc with versioned symbols');
    return floor;
  }

  test('--manylinux caps the glibc the binary may need: a cap below the launcher\'s is refused before a binary is written', async (t) => {
    // Whatever glibc this toolchain was built against, one minor release below its launcher's floor is a cap it cannot meet.
    const floor = await launcherFloor();
    const [major, minor] = floor.split('.').map(Number) as [number, number];
    assert.ok(minor > 0, `a glibc ${major}.x below ${floor}`);
    const cap = `${major}.${minor - 1}`;
    t.diagnostic(`the launcher needs glibc ${floor}; asking for manylinux ${cap}`);
    const app = tmp('capped');
    writeFileSync(join(app, '__main__.py'), 'print("capped")\n');
    const built = await build(app, ['--name', 'capped', '--target', 'x86_64-linux-gnu', '--manylinux', cap.replace('.', '_')]);
    assert.equal(built.result.status, 1, built.result.stderr);
    assert.match(built.result.stderr, new RegExp(`manylinux ${cap.replace('.', '\\.')}: the binary would need glibc ${floor.replace(/\./g, '\\.')} \\(set by the launcher\\)`));
    assert.ok(!existsSync(built.binary), 'no binary written');
  });

  test('--manylinux at the launcher\'s own floor is met: the binary is written, requiring that glibc', async () => {
    const floor = await launcherFloor();
    const app = tmp('at-floor');
    writeFileSync(join(app, '__main__.py'), 'print("at the floor")\n');
    const built = await build(app, ['--name', 'at-floor', '--target', 'x86_64-linux-gnu', '--manylinux', floor.replace('.', '_')]);
    assert.equal(built.result.status, 0, built.result.stderr);
    assert.match(built.result.stderr, new RegExp(`^pybin: target x86_64-linux-gnu: runs on Linux with glibc ${floor.replace(/\./g, '\\.')} or newer$`, 'm'));
    const result = await runApp(built.binary, []);
    assert.deepEqual([result.status, result.stdout], [0, 'at the floor\n']);
  });

  test('a library the app loads with ctypes from beside its __file__ loads from memory too (auto moves it to glibc)', async () => {
    const app = tmp('ctypes-app');
    mkdirSync(join(app, 'greet'));
    writeFileSync(join(app, 'greet', 'answer.c'), 'int answer(void) { return 42; }\n');
    const cc = await run('gcc', ['-shared', '-fPIC', join(app, 'greet', 'answer.c'), '-o', join(app, 'greet', 'libanswer.so')]);
    assert.equal(cc.status, 0, cc.stderr);
    writeFileSync(
      join(app, 'greet', '__init__.py'),
      'import ctypes, os\nANSWER = ctypes.CDLL(os.path.join(os.path.dirname(__file__), "libanswer.so")).answer()\n',
    );
    writeFileSync(join(app, '__main__.py'), 'import greet\nprint(greet.ANSWER)\n');
    const built = await build(app, ['--name', 'ctypes-app']);
    assert.equal(built.result.status, 0, built.result.stderr);
    assert.match(built.result.stderr, /target x86_64-linux-gnu: the app itself needs compiled modules/);
    const result = await runApp(built.binary, []);
    assert.deepEqual([result.status, result.stdout, result.stderr], [0, '42\n', '']);
  });

  test('libraries that need each other (a DT_NEEDED cycle, as in pygame\'s freetype and harfbuzz) load from memory', async () => {
    const app = tmp('cycle-app');
    const dir = join(app, 'cyc');
    mkdirSync(dir);
    // Named as auditwheel names vendored libraries: long enough to hold a /proc/self/fd path.
    const [first, second] = ['libcycle-first-0f1e2d3c.so.1', 'libcycle-second-4b5a6978.so.1'];
    writeFileSync(join(dir, 'first.c'), 'int second(void);\nint first_half(void) { return 20; }\nint first(void) { return second() * 2; }\n');
    writeFileSync(join(dir, 'second.c'), 'int first_half(void);\nint second(void) { return first_half() + 1; }\n');
    const link = (source: string, soname: string, needs?: string) =>
      run('gcc', ['-shared', '-fPIC', '-o', join(dir, soname), join(dir, source), `-Wl,-soname,${soname}`, ...(needs ? [`-L${dir}`, `-l:${needs}`] : [])]);
    // The second is linked again once the first exists, so that each needs the other.
    for (const [source, soname, needs] of [['second.c', second], ['first.c', first, second], ['second.c', second, first]] as const) {
      const result = await link(source, soname, needs);
      assert.equal(result.status, 0, result.stderr);
    }
    for (const [library, other] of [[first, second], [second, first]] as const) {
      assert.ok(readElfDynamic(readFileSync(join(dir, library))).needed.includes(other), `${library} needs ${other}`);
    }
    writeFileSync(join(dir, '__init__.py'), `import ctypes, os\nFIRST = ctypes.CDLL(os.path.join(os.path.dirname(__file__), ${JSON.stringify(first)})).first()\n`);
    writeFileSync(join(app, '__main__.py'), 'import cyc\nprint(cyc.FIRST)\n');
    const built = await build(app, ['--name', 'cycle-app']);
    assert.equal(built.result.status, 0, built.result.stderr);
    const result = await runApp(built.binary, []);
    assert.deepEqual([result.status, result.stdout, result.stderr], [0, '42\n', '']);
  });

  test('a pygame app (display, draw, font, image; its wheel\'s freetype and harfbuzz need each other) prints what its venv prints', async (t) => {
    const app = tmp('pygame-app');
    writeFileSync(join(app, 'requirements.txt'), 'pygame==2.6.1\n');
    writeFileSync(join(app, '__main__.py'), [
      'import hashlib, sys',
      'import pygame',
      'pygame.init()',
      'screen = pygame.display.set_mode((120, 80))',
      'screen.fill((10, 20, 30))',
      'pygame.draw.circle(screen, (200, 100, 50), (60, 40), 25)',
      'pygame.draw.rect(screen, (0, 255, 0), (5, 5, 30, 20), 2)',
      '# pygame\'s own default font is opened by path from C (SDL_ttf): it needs --extract; a font given as a file object does not.',
      'font = pygame.font.Font(None if "default-font" in sys.argv else open(sys.argv[1], "rb"), 24)',
      'text = font.render("hi", True, (255, 255, 255))',
      'screen.blit(text, (10, 50))',
      'image = pygame.Surface((8, 8))',
      'image.fill((1, 2, 3))',
      'pygame.image.save(image, "out.bmp")',
      'print("text", text.get_size(), "pixel", tuple(screen.get_at((60, 40))), "loaded", pygame.image.load("out.bmp").get_size())',
      'print("screen", hashlib.sha256(pygame.image.tobytes(screen, "RGB")).hexdigest())',
      'pygame.quit()',
    ].join('\n') + '\n');
    const env = { ...ENV, SDL_VIDEODRIVER: 'dummy', SDL_AUDIODRIVER: 'dummy', PYGAME_HIDE_SUPPORT_PROMPT: '1' };
    const real = findRealPython('3.11');
    if (!real) return t.skip('no real CPython 3.11 to compare with (set PYBIN_REAL_PYTHON_3_11)');
    const venv = join(await cachedVenv(real, 'pygame', ['pygame==2.6.1']), 'bin', 'python');
    const font = join(venv, '..', '..', 'lib', 'python3.11', 'site-packages', 'pygame', 'freesansbold.ttf');
    for (const [label, buildArgs, args] of [['from memory, a font file object', [], [font]], ['--extract, the default font', ['--extract'], ['-', 'default-font']]] as const) {
      await t.test(label, async () => {
        const built = await build(app, ['--name', 'pygame-app', ...buildArgs]);
        assert.equal(built.result.status, 0, built.result.stderr);
        const ours = await run(built.binary, [...args], { cwd: tmp('pygame-work'), env: { ...env, XDG_CACHE_HOME: tmp('pygame-cache') }, timeoutMs: RUN_TIMEOUT_MS });
        const theirs = await run(venv, [join(app, '__main__.py'), ...args], { cwd: tmp('pygame-work'), env, timeoutMs: RUN_TIMEOUT_MS });
        assert.equal(theirs.status, 0, theirs.stderr);
        assert.deepEqual([ours.status, ours.stdout, ours.stderr], [theirs.status, theirs.stdout, theirs.stderr]);
      });
    }
  });

  test('two builds of the app are byte for byte the same', async (t) => {
    const first = await builtApp();
    const second = await build(APP, ['--name', 'compiled']);
    t.diagnostic(`second build in ${second.seconds.toFixed(1)}s`);
    assert.equal(second.result.status, 0, second.result.stderr);
    assert.equal(sha256(readFileSync(second.binary)), sha256(readFileSync(first)));
  });

  test('--extract: the glibc binary runs the same from its extraction', async (t) => {
    const extracted = await build(APP, ['--name', 'compiled', '--extract']);
    assert.equal(extracted.result.status, 0, extracted.result.stderr);
    const cache = tmp('cache');
    const methods = ['spawn', 'forkserver', 'fork'];
    await t.test('its first run writes only into the cache dir (strace)', async (t) => {
      if (!STRACE) {
        assert.notEqual(process.getuid?.(), 0, 'strace is missing, running as root (scripts/setup.sh installs it)');
        return t.skip('no strace (scripts/setup.sh installs it)');
      }
      // The same check as above sees an extraction's writes: all of them in the cache dir.
      const first = await traced(extracted.binary, ['exit'], { ...ENV, XDG_CACHE_HOME: cache });
      assert.equal(first.result.status, 3, first.result.stderr);
      assert.ok(first.writes.some((l) => l.includes(`"${cache}/pybin/apps/`)), `the unpacking is seen:\n${first.writes.slice(0, 5).join('\n')}`);
      assert.deepEqual(first.writes.filter((l) => !l.includes(cache)), [], 'only the cache dir is written');
    });
    for (const round of ['run: unpacks unless traced above', 'another run: from the cache']) {
      const result = await runApp(extracted.binary, methods, { ...ENV, XDG_CACHE_HOME: cache });
      assert.equal(result.status, 0, `${round}: ${result.stderr}`);
      assert.equal(result.stdout, expectedOutput(methods), round);
      assert.equal(result.stderr, '', round);
    }
    const apps = readdirSync(join(cache, 'pybin', 'apps')).filter((f) => !f.endsWith('.lock'));
    assert.equal(apps.length, 1, 'one extraction');
    t.diagnostic(`unpacked into ${apps[0]}`);
  });

  test('mypyc-compiled tools forced to the glibc target (mypy 2.4 and black) run their compiled code like their venv', async (t) => {
    // `compare`: runs whose output must be the venv's (--version names the program and Python's patch release, so it is only checked for the compiled marker).
    const tools = [
      { name: 'mypy', pin: 'mypy==2.4.0', entry: 'mypy.__main__:console_entry', compare: [['--version'], ['--no-incremental', '--cache-dir=/dev/null', 'sample.py']] },
      { name: 'black', pin: 'black==26.5.1', entry: 'black:patched_main', compare: [['--diff', '-q', '-'], ['-q', '-']] },
    ];
    const work = tmp('mypyc-work');
    writeFileSync(join(work, 'sample.py'), 'def f(x: int) -> str:\n    return x\n');
    const real = findRealPython('3.11');
    const options = { cwd: work, env: ENV, input: 'x  =  [1,\n  2]\n', timeoutMs: RUN_TIMEOUT_MS };
    for (const tool of tools) {
      await t.test(tool.name, async (t) => {
        const app = tmp(`${tool.name}-app`);
        writeFileSync(join(app, 'requirements.txt'), `${tool.pin}\n`);
        const built = await build(app, ['--name', tool.name, '--target', 'x86_64-linux-gnu', '--entry', tool.entry]);
        assert.equal(built.result.status, 0, built.result.stderr);
        const version = await run(built.binary, ['--version'], options);
        assert.match(version.stdout, /\(compiled: yes\)/, `its compiled modules load: ${version.stderr}`);
        if (!real) return t.skip('no real CPython 3.11 to compare with (set PYBIN_REAL_PYTHON_3_11)');
        const venv = join(await cachedVenv(real, tool.name, [tool.pin]), 'bin', 'python');
        for (const args of tool.compare) {
          // One after the other: both sides work in one dir.
          const ours = await run(built.binary, args, options);
          const theirs = await run(venv, ['-m', tool.name, ...args], options);
          const normalize = (text: string) => text.replace(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+(\+00:00)?/g, '<time>');
          assert.deepEqual(
            [ours.status, normalize(ours.stdout), normalize(ours.stderr)],
            [theirs.status, normalize(theirs.stdout), normalize(theirs.stderr)],
            `${tool.name} ${args.join(' ')}`,
          );
        }
      });
    }
  });
});
