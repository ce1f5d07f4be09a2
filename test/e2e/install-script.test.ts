import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { renderInstallScript } from '../../src/publish/install-script.js';
import { buildScript } from '../support/app.js';
import { startManifestServer, type ManifestServer } from '../support/manifest-server.js';
import { run, type RunResult } from '../support/run.js';
import { tempDir } from '../support/tmp.js';

const python = '3.13';
const NAME = 'myapp';
const APP_SOURCE = 'import sys\nprint("hello from myapp", sys.argv[1:])\n';

/** Where a tool is on this machine's PATH, if anywhere. */
function which(tool: string): string | undefined {
  const found = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : undefined;
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const sumsLine = (file: string, bytes: Buffer) => `${sha256(bytes)}  ${file}\n`;

/** A dir of executable scripts (name -> body), to put first on PATH. */
function fakeTools(scripts: Record<string, string>): string {
  const dir = tempDir('fake-tools');
  for (const [tool, body] of Object.entries(scripts)) writeFileSync(join(dir, tool), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return dir;
}

const fakeUname = (option: string, answer: string) => fakeTools({ uname: `if [ "$1" = ${option} ]; then echo ${answer}; else exec ${which('uname')} "$@"; fi` });

/** The tools install.sh runs, but for `missing`: a PATH with nothing else on it. */
function pathWithout(...missing: string[]): string {
  const tools = ['uname', 'grep', 'ldd', 'curl', 'wget', 'sleep', 'sha256sum', 'shasum', 'mktemp', 'rm', 'awk', 'chmod', 'tr', 'getconf', 'mkdir', 'cp', 'mv', 'cat'];
  const dir = tempDir('path');
  for (const tool of tools.filter((t) => !missing.includes(t))) {
    const path = which(tool);
    if (path) symlinkSync(path, join(dir, tool));
  }
  return dir;
}

/**
 * A copy of this machine's glibc-linked /bin/true changed by `patch`, or
 * undefined when /bin/true is not a glibc ELF (a musl machine).
 */
function patchedTrue(patch: (binary: Buffer, text: string) => boolean): Buffer | undefined {
  const binary = readFileSync('/bin/true');
  return patch(binary, binary.toString('latin1')) ? binary : undefined;
}

/** A glibc binary whose loader (PT_INTERP) is not there, as a glibc binary finds things on a musl machine. */
const missingLoaderBinary = patchedTrue((binary, text) => {
  const loader = /\/lib[^\0]*\/ld-linux[^\0]*\.so\.(\d)\0/.exec(text);
  if (!loader) return false;
  binary.write('9', loader.index + loader[0].length - 2, 'latin1');
  return true;
});

/** A glibc binary that needs GLIBC_9.x, as a binary built on a newer glibc does on an older one. */
const newerGlibcBinary = patchedTrue((binary, text) => {
  const version = /GLIBC_2\.\d+(\.\d+)?\0/.exec(text);
  if (!version) return false;
  binary.write('9', version.index + 'GLIBC_'.length, 'latin1');
  return true;
});

describe('install.sh from a release', { timeout: 30 * 60_000 }, () => {
  let server: ManifestServer;
  let binaryName: string;
  let binary: Buffer;
  let platform: string;
  /** The build's SHA256SUMS: the binary's line among its SBOM's and notices'. */
  let sums: string;

  before(async () => {
    const built = await buildScript(python, APP_SOURCE, NAME);
    binaryName = basename(built);
    platform = binaryName.slice(`${NAME}-`.length);
    binary = readFileSync(built);
    // The build's SHA256SUMS (which a release merges) holds the binary's line, beside those of its SBOM and notices.
    sums = readFileSync(join(built, '..', 'SHA256SUMS'), 'utf8');
    assert.ok(sums.split('\n').includes(sumsLine(binaryName, binary).trimEnd()), `the build's SHA256SUMS lists the binary:\n${sums}`);
    server = await startManifestServer();
  });
  after(() => server?.close());

  /** Serves `files` under /download/TAG/; the release's download root. */
  function publish(tag: string, files: Record<string, Buffer | string>): string {
    for (const [file, body] of Object.entries(files)) server.serve(`/download/${tag}/${file}`, body);
    return `${server.base}/download/${tag}`;
  }

  const goodRelease = () => publish('v1', { SHA256SUMS: sums, [binaryName]: binary });
  const hits = (downloadUrl: string) => server.requests.filter((r) => `${server.base}${r.path}`.startsWith(`${downloadUrl}/`)).length;

  interface Install {
    shell: string;
    downloadUrl: string;
    /** The --to dir; none: the script's default. */
    to?: string;
    /** Dirs put first on PATH. */
    pathFirst?: string[];
    /** The whole PATH, instead of this machine's. */
    path?: string;
    env?: NodeJS.ProcessEnv;
  }

  /** Renders install.sh for `downloadUrl` and runs it with `shell`, with a fresh HOME. */
  async function install(options: Install): Promise<RunResult & { home: string }> {
    const script = join(tempDir('install-script'), 'install.sh');
    writeFileSync(script, renderInstallScript({ name: NAME, downloadUrl: options.downloadUrl }));
    const home = tempDir('install-home');
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, ...options.env };
    for (const variable of ['XDG_BIN_HOME', 'XDG_CACHE_HOME']) if (!options.env?.[variable]) delete env[variable];
    env.PATH = [...(options.pathFirst ?? []), options.path ?? process.env.PATH].join(':');
    env.TMPDIR = tempDir('install-tmp');
    const result = await run(which(options.shell)!, [script, ...(options.to ? ['--to', options.to] : [])], { env });
    assert.deepEqual(readdirSync(env.TMPDIR), [], 'its temp dir is removed on exit');
    return { ...result, home };
  }

  function assertInstalled(result: RunResult, dir: string) {
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout, `installed ${join(dir, NAME)}\n`);
    assert.deepEqual(readdirSync(dir), [NAME], 'no temp file left beside it');
    assert.ok(readFileSync(join(dir, NAME)).equals(binary), 'byte-identical to the release asset');
    assert.equal(statSync(join(dir, NAME)).mode & 0o777, 0o755);
  }

  async function assertRuns(installed: string) {
    const ran = await run(installed, ['a', 'b']);
    assert.equal(ran.status, 0, ran.stderr);
    assert.equal(ran.stdout, "hello from myapp ['a', 'b']\n");
  }

  /** One `install.sh: ...` line matching `message` on stderr, a non-zero exit, and `to` as it was. */
  function assertRefused(result: RunResult, message: RegExp, to: string, before: string[] = []) {
    assert.notEqual(result.status, 0);
    assert.match(result.stderr, /^install\.sh: [^\n]*\n$/, 'one line on stderr');
    assert.match(result.stderr, message);
    assert.equal(result.stdout, '');
    assert.deepEqual(existsSync(to) ? readdirSync(to) : [], before, 'nothing installed');
  }

  for (const shell of ['dash', 'bash']) {
    describe(shell, { skip: which(shell) ? false : `${shell} is not installed` }, () => {
      test('installs a byte-identical binary into --to DIR, made if missing, that runs; warns DIR is not on PATH', async () => {
        const to = join(tempDir('to'), 'deep', 'bin');
        const result = await install({ shell, downloadUrl: goodRelease(), to });
        assertInstalled(result, to);
        assert.equal(result.stderr, `install.sh: warning: ${to} is not on PATH; add it: export PATH="${to}:$PATH"\n`);
        await assertRuns(join(to, NAME));
      });

      test('replaces an earlier install; no warning when DIR is on PATH', async () => {
        const to = tempDir('to');
        writeFileSync(join(to, NAME), 'old version', { mode: 0o755 });
        const result = await install({ shell, downloadUrl: goodRelease(), to, pathFirst: [to] });
        assertInstalled(result, to);
        assert.equal(result.stderr, '');
      });

      test('default DIR: $XDG_BIN_HOME, else $HOME/.local/bin', async () => {
        const defaulted = await install({ shell, downloadUrl: goodRelease() });
        assertInstalled(defaulted, join(defaulted.home, '.local', 'bin'));
        const xdg = join(tempDir('xdg'), 'bin');
        assertInstalled(await install({ shell, downloadUrl: goodRelease(), env: { XDG_BIN_HOME: xdg } }), xdg);
      });

      test('a tampered binary is refused with both hashes; the earlier install stays', async () => {
        const tampered = Buffer.from(binary);
        tampered[tampered.length >> 1]! ^= 0xff;
        const downloadUrl = publish(`tampered-${shell}`, { SHA256SUMS: sumsLine(binaryName, binary), [binaryName]: tampered });
        const to = tempDir('to');
        writeFileSync(join(to, NAME), 'old version');
        const result = await install({ shell, downloadUrl, to });
        assertRefused(result, new RegExp(`sha256 mismatch for ${binaryName}: expected ${sha256(binary)}, got ${sha256(tampered)}; nothing installed`), to, [NAME]);
        assert.equal(readFileSync(join(to, NAME), 'utf8'), 'old version');
      });

      test('an unsupported CPU or OS fails before downloading anything', async () => {
        const to = join(tempDir('to'), 'bin');
        const downloadUrl = goodRelease();
        const before = hits(downloadUrl);
        const cases: [string, RegExp][] = [
          [fakeUname('-m', 'riscv64'), /^install\.sh: unsupported CPU architecture: riscv64 \(supported: x86_64, aarch64\)$/m],
          [fakeUname('-s', 'Darwin'), /^install\.sh: macOS binaries are not published by pybin yet$/m],
          [fakeUname('-s', 'FreeBSD'), /^install\.sh: unsupported OS: FreeBSD \(pybin publishes Linux binaries only\)$/m],
        ];
        for (const [fakes, message] of cases) assertRefused(await install({ shell, downloadUrl, to, pathFirst: [fakes] }), message, to);
        assert.equal(hits(downloadUrl), before);
      });

      test('a release without this platform\'s binary names the platform and lists the binaries it has', async () => {
        const other = `${NAME}-linux-other`;
        const sums = [other, `${other}.cdx.json`, `${other}.notices.txt`, `${NAME}-linux-armv7`].map((file) => sumsLine(file, Buffer.from(file))).join('');
        const downloadUrl = publish(`other-${shell}`, { SHA256SUMS: sums, [binaryName]: binary });
        const to = tempDir('to');
        const result = await install({ shell, downloadUrl, to });
        assertRefused(result, new RegExp(`this release has no binary for ${platform} \\(no ${binaryName} in SHA256SUMS\\); it has: ${other}, ${NAME}-linux-armv7\\n`), to);
      });

      test('a missing release fails naming the URL', async () => {
        const to = tempDir('to');
        const downloadUrl = `${server.base}/download/no-such-tag`;
        assertRefused(await install({ shell, downloadUrl, to }), new RegExp(`cannot download ${downloadUrl}/SHA256SUMS: .*404`), to);
      });

      test('without curl it downloads with wget', { skip: which('wget') ? false : 'wget is not installed' }, async () => {
        const to = tempDir('to');
        const downloadUrl = goodRelease();
        const before = hits(downloadUrl);
        assertInstalled(await install({ shell, downloadUrl, to, path: pathWithout('curl') }), to);
        assert.equal(hits(downloadUrl), before + 2, 'SHA256SUMS and the binary were downloaded');
      });

      test('without curl and wget it says so', async () => {
        const to = tempDir('to');
        assertRefused(await install({ shell, downloadUrl: goodRelease(), to, path: pathWithout('curl', 'wget') }), /neither curl nor wget is installed/, to);
      });

      test('without sha256sum it verifies with shasum -a 256', { skip: which('shasum') ? false : 'shasum is not installed' }, async () => {
        const to = tempDir('to');
        assertInstalled(await install({ shell, downloadUrl: goodRelease(), to, path: pathWithout('sha256sum') }), to);
        const tampered = Buffer.from(binary);
        tampered[0]! ^= 0xff;
        const downloadUrl = publish(`shasum-tampered-${shell}`, { SHA256SUMS: sumsLine(binaryName, binary), [binaryName]: tampered });
        const refusedTo = tempDir('to');
        assertRefused(await install({ shell, downloadUrl, to: refusedTo, path: pathWithout('sha256sum') }), /sha256 mismatch/, refusedTo);
      });

      test('a glibc binary on a musl machine (its loader missing) is refused, saying it needs glibc', { skip: missingLoaderBinary ? false : '/bin/true is not a glibc binary here' }, async () => {
        const downloadUrl = publish(`no-loader-${shell}`, { SHA256SUMS: sumsLine(binaryName, missingLoaderBinary!), [binaryName]: missingLoaderBinary! });
        // As on Alpine: no glibc getconf variable, and musl's ldd.
        const fakeMusl = fakeTools({ getconf: 'exit 1', ldd: 'echo "musl libc (x86_64)" >&2; echo "Version 1.2.5" >&2; exit 1' });
        const to = tempDir('to');
        const result = await install({ shell, downloadUrl, to, pathFirst: [fakeMusl] });
        assertRefused(result, new RegExp(`${binaryName} does not start on this machine \\(it needs glibc, and this machine uses musl libc\\): .*${binaryName}.*not found; nothing installed`), to);
      });

      test('a binary needing a newer glibc is refused with the loader\'s message', { skip: newerGlibcBinary ? false : '/bin/true is not a glibc binary here' }, async () => {
        const downloadUrl = publish(`new-glibc-${shell}`, { SHA256SUMS: sumsLine(binaryName, newerGlibcBinary!), [binaryName]: newerGlibcBinary! });
        const to = tempDir('to');
        const result = await install({ shell, downloadUrl, to });
        assertRefused(result, new RegExp(`${binaryName} does not start on this machine \\(it needs a newer glibc than this machine's glibc 2\\.\\d+\\): .*version \`GLIBC_9\\.[\\d.]+' not found`), to);
      });
    });
  }
});
