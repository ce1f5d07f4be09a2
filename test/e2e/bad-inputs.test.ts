import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { runAction } from '../support/action.js';
import { pybin } from '../support/cli.js';

/**
 * Every bad input is a clear error before any slow work: a non-zero exit,
 * one message naming the flag or input and what to do, no stack trace, and
 * nothing written: no binary in the output dir, nothing in a fresh cache.
 * No toolchain is needed here, so these run on any machine in seconds.
 */

/** An app dir holding these files (relative path -> content; a directory for a value of null). */
function appWith(files: Record<string, string | null>): string {
  const dir = mkdtempSync(join(tmpdir(), 'pybin-bad-'));
  for (const [path, content] of Object.entries(files)) {
    if (content === null) mkdirSync(join(dir, path), { recursive: true });
    else {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), content);
    }
  }
  return dir;
}

const plain = () => appWith({ '__main__.py': 'print("hi")\n' });
const pyproject = (toml: string) => appWith({ 'pyproject.toml': toml, 'app/__init__.py': '', 'app/cli.py': 'def main(): pass\n' });
const file = (content: string) => {
  const path = join(mkdtempSync(join(tmpdir(), 'pybin-bad-file-')), 'file');
  writeFileSync(path, content);
  return path;
};
const withLink = (target: string, link = 'link') => {
  const dir = plain();
  symlinkSync(target, join(dir, link));
  return dir;
};

type Case = [label: string, args: () => string[], message: RegExp, status?: number];

/** `pybin build` command lines, each with the message it must give. */
const CLI_CASES: Case[] = [
  ['an unknown command', () => ['bild'], /unknown command "bild"; run `pybin --help`/, 2],
  ['an unknown flag', () => ['build', '--pyton', '3.13'], /Unknown option '--pyton'/, 2],
  ['two app dirs', () => ['build', plain(), plain()], /pybin build takes one APP_DIR, got 2/, 2],
  ['--jobs 0', () => ['build', plain(), '--jobs', '0'], /--jobs needs a whole number ≥ 1, got "0"/, 2],
  ['--jobs many', () => ['build', plain(), '--jobs', 'many'], /--jobs needs a whole number ≥ 1, got "many"/, 2],
  ['--compression zstd', () => ['build', plain(), '--compression', 'zstd'], /--compression must be deflate or store, got "zstd"/],
  ['--interpreter download', () => ['build', plain(), '--interpreter', 'download'], /interpreter must be one of auto, fetch, build, got "download"/],
  ['--manifest-url ftp://', () => ['build', plain(), '--manifest-url', 'ftp://host/m.json'], /manifest-url must be an https URL or an absolute file path/],
  ['--python 2.7', () => ['build', plain(), '--python', '2.7'], /python version "2\.7" is not a CPython version like 3\.13 or 3\.13\.5; supported: 3\.11/],
  ['--python 3.9', () => ['build', plain(), '--python', '3.9'], /python 3\.9 is not supported; supported: 3\.11/],
  ['--target x86_64-windows', () => ['build', plain(), '--target', 'x86_64-windows'], /target must be auto or one of x86_64-linux-musl, .*got "x86_64-windows"/],
  ['--manylinux on a static target', () => ['build', plain(), '--target', 'x86_64-linux-musl', '--manylinux', '2_28'], /manylinux 2_28 applies to glibc targets only/],
  ['--manylinux newest', () => ['build', plain(), '--manylinux', 'newest'], /manylinux must be a glibc version like 2_28/],
  ['--target aarch64-linux-gnu on x86_64', () => ['build', plain(), '--target', 'aarch64-linux-gnu'], /aarch64-linux-gnu cannot be cross-built on x86_64 yet: .*ARM runner/],
  ['an unterminated quote in --smoke-test', () => ['build', plain(), '--smoke-test', '"--name'], /--smoke-test: /],
  ['a missing --sources file', () => ['build', plain(), '--sources', '/nowhere/sources.json'], /--sources \/nowhere\/sources\.json: cannot read it as JSON/],
  ['a --sources file that is not JSON', () => ['build', plain(), '--sources', file('{ nope')], /--sources .*: cannot read it as JSON/],
  ['a --sources entry without sha256', () => ['build', plain(), '--sources', file('{"zlib-1.3.1": {"path": "/x.tgz"}}')], /"zlib-1\.3\.1" needs a "sha256" of 64 hex digits/],
  ['a missing app dir', () => ['build', '/no/such/app'], /app dir \/no\/such\/app does not exist or is not a directory/],
  ['an app dir that is a file', () => ['build', file('')], /app dir .* does not exist or is not a directory/],
  ['--name with a path separator', () => ['build', plain(), '--name', '../evil'], /--name "\.\.\/evil" must be a plain file name/],
  ['a pyproject name with a space', () => ['build', pyproject('[project]\nname = "My App"\nversion = "1"\n[project.scripts]\nmy = "app.cli:main"\n')], /the \[project\] name in pyproject\.toml "My App" must be a plain file name.*give the binary a name with --name/],
  ['an empty --entry', () => ['build', plain(), '--entry', ' '], /--entry is empty/],
  ['a bad --entry', () => ['build', plain(), '--entry', 'm:'], /--entry "m:" is not a valid entry point: expected module:function/],
  ['a missing --entry script', () => ['build', plain(), '--entry', 'nope.py'], /--entry script "nope\.py" does not exist in the app dir/],
  ['an --entry outside the app dir', () => ['build', plain(), '--entry', '../x.py'], /--entry "\.\.\/x\.py" must be a path inside the app dir/],
  ['no entry point', () => ['build', appWith({ 'lib.py': '' })], /no entry point found: .*pass --entry module:function/],
  ['an app file where pybin keeps the SBOM', () => ['build', appWith({ '__main__.py': '', '.pybin/notes.txt': 'x' })], /the app's \.pybin\/notes\.txt is inside \.pybin\/, where pybin keeps the binary's SBOM and notices/],
  ['several [project.scripts]', () => ['build', pyproject('[project]\nname = "two"\nversion = "1"\n[project.scripts]\na = "app.cli:main"\nb = "app.cli:main"\n')], /\[project\.scripts\] has several entries \(a, b\): choose one with --entry NAME/],
  ['invalid pyproject TOML', () => ['build', pyproject('[project\nname = 1')], /pyproject\.toml is not valid TOML/],
  ['a missing --requirements', () => ['build', plain(), '--requirements', '/nowhere/req.txt'], /--requirements \/nowhere\/req\.txt does not exist/],
  ['a --requirements that is a directory', () => ['build', plain(), '--requirements', tmpdir()], /--requirements .* is not a file/],
  ['a .python-version that is a directory', () => ['build', appWith({ '__main__.py': '', '.python-version': null })], /the app's \.python-version .* is not a file/],
  ['an unsupported .python-version', () => ['build', appWith({ '__main__.py': '', '.python-version': '3.9\n' })], /the app's \.python-version: python 3\.9 is not supported/],
  ['a requires-python nothing meets', () => ['build', pyproject('[project]\nname = "old"\nversion = "1"\nrequires-python = "<3.10"\n[project.scripts]\nold = "app.cli:main"\n')], /requires-python "<3\.10" in pyproject\.toml matches no supported CPython/],
  ['--out equal to the app dir', () => {
    const app = plain();
    return ['build', app, '--out', app];
  }, /--out .* is the app dir itself, whose files the build copies: choose another dir/],
  ['--out under /proc', () => ['build', plain(), '--out', '/proc/pybin-out'], /output dir \/proc\/pybin-out is not writable .*choose a writable directory with --out/],
  ['--out that is a file', () => ['build', plain(), '--out', file('')], /output dir .* is not writable .*--out/],
  ['--exclude on a pyproject app', () => ['build', pyproject('[project]\nname = "p"\nversion = "1"\n[project.scripts]\np = "app.cli:main"\n'), '--exclude', 'docs/**'], /--exclude applies to plain app dirs, and .* is a pyproject project/],
  ['a symlink leaving the app dir', () => ['build', withLink('/etc/hostname')], /link is a symlink to \/etc\/hostname, outside the app dir/],
  ['a symlink back to the app dir', () => ['build', withLink('.')], /link is a symlink to .*, which contains it: copying it would never end \(--exclude it\)/],
  ['a broken symlink', () => ['build', withLink('gone.py')], /link is a broken symlink \(to gone\.py\): remove it, or --exclude it/],
];

describe('bad inputs to pybin build: a clear error before any work, nothing written', () => {
  for (const [label, args, message, status] of CLI_CASES) {
    test(label, async () => {
      const cache = mkdtempSync(join(tmpdir(), 'pybin-bad-cache-'));
      const out = mkdtempSync(join(tmpdir(), 'pybin-bad-out-'));
      const argv = args();
      const withOut = argv.includes('--out') || argv[0] !== 'build' ? argv : [...argv, '--out', out];
      const result = await pybin(withOut, { ...process.env, PYBIN_CACHE_DIR: cache });
      assert.equal(result.status, status ?? 1, result.stderr);
      assert.match(result.stderr, /^pybin: error: /);
      assert.match(result.stderr, message);
      assert.doesNotMatch(result.stderr, /\n\s+at .*:\d+:\d+\)?\n|internal error/, 'no stack trace');
      assert.equal(result.stdout, '');
      assert.deepEqual(readdirSync(cache), [], 'nothing was fetched or built');
      assert.deepEqual(readdirSync(out), [], 'no binary, no SHA256SUMS');
    });
  }
  test('at least 30 of them', () => assert.ok(CLI_CASES.length >= 30, String(CLI_CASES.length)));
});

/** Action inputs, each with the message it must give. */
const ACTION_CASES: [label: string, inputs: () => Record<string, string>, message: RegExp][] = [
  ['app: missing', () => ({ app: '/no/such/app' }), /input app: app dir \/no\/such\/app does not exist/],
  ['out: the app dir', () => {
    const app = plain();
    return { app, out: app };
  }, /input out: --out .* is the app dir itself/],
  ['requirements: a directory', () => ({ requirements: tmpdir() }), /input requirements: --requirements .* is not a file/],
  ['smoke-test: an unterminated quote', () => ({ 'smoke-test': "'--x" }), /input smoke-test: --smoke-test: /],
  ['sources: missing', () => ({ sources: '/nowhere/sources.json' }), /input sources: --sources \/nowhere\/sources\.json: cannot read it as JSON/],
  ['release-tag with release auto off a tag', () => ({ 'release-tag': 'v9' }), /input release-tag: release-tag is set, but release is auto and this run is not for a tag/],
  ['name: a path', () => ({ name: 'a/b' }), /input name: --name "a\/b" must be a plain file name/],
  ['extract: maybe', () => ({ extract: 'maybe' }), /input extract: extract must be true or false, got "maybe"/],
  ['exclude on a pyproject app', () => ({ app: pyproject('[project]\nname = "p"\nversion = "1"\n[project.scripts]\np = "app.cli:main"\n'), exclude: 'docs/**' }), /input exclude: --exclude applies to plain app dirs/],
  ['python-version: 3.9', () => ({ 'python-version': '3.9' }), /input python-version: python 3\.9 is not supported/],
];

describe('bad Action inputs: the step fails before any work, naming the input', () => {
  for (const [label, inputs, message] of ACTION_CASES) {
    test(label, async () => {
      const cache = mkdtempSync(join(tmpdir(), 'pybin-bad-cache-'));
      const out = mkdtempSync(join(tmpdir(), 'pybin-bad-out-'));
      const result = await runAction({ inputs: { app: plain(), out, token: 'ghs_x', ...inputs() }, env: { PYBIN_CACHE_DIR: cache } });
      assert.equal(result.status, 1, result.stdout);
      assert.match(result.stdout, new RegExp(`::error::${message.source.replace(/^\^/, '')}`));
      assert.doesNotMatch(result.stdout, /::group::/, 'no stage started (no build tools installed, nothing built)');
      assert.equal(result.outputs['binary-path'], undefined);
      assert.deepEqual(readdirSync(cache), []);
      assert.ok(!existsSync(join(out, 'SHA256SUMS')));
    });
  }
});

test('an unreadable --requirements is refused (as a user other than root, who reads everything)', async (t) => {
  if (process.getuid?.() === 0) return void t.skip('root reads every file, so an unreadable one cannot be made here');
  const req = file('six\n');
  chmodSync(req, 0o000);
  const result = await pybin(['build', plain(), '--requirements', req, '--out', mkdtempSync(join(tmpdir(), 'pybin-bad-out-'))]);
  assert.equal(result.status, 1);
  assert.match(result.stderr, /--requirements .* is not readable by this user/);
});
