import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { PybinError } from '../../../src/plumbing/errors.js';
import { renderInstallScript } from '../../../src/publish/install-script.js';

const DOWNLOAD_URL = 'https://github.com/octo/hello/releases/download/v1.0.0';
const SHELLS = ['dash', 'bash'] as const;

const hasShell = (shell: string) => spawnSync('sh', ['-c', `command -v ${shell}`]).status === 0;

/** The rendered script in a fresh file, run by `shell` (with `shellOptions`) with `args`. */
function runScript(shell: string, script: string, args: string[], shellOptions: string[] = [], env = process.env) {
  const file = join(mkdtempSync(join(tmpdir(), 'pybin-install-sh-')), 'install.sh');
  writeFileSync(file, script);
  return spawnSync(shell, [...shellOptions, file, ...args], { encoding: 'utf8', env });
}

describe('renderInstallScript', () => {
  test('fills in the name and download URL as quoted shell words, no placeholder left', () => {
    const script = renderInstallScript({ name: 'my.app_2-x', downloadUrl: DOWNLOAD_URL });
    assert.match(script, /^#!\/bin\/sh\n/);
    assert.match(script, /^set -eu$/m);
    assert.match(script, /^name='my\.app_2-x'$/m);
    assert.match(script, new RegExp(`^download_url='${DOWNLOAD_URL.replaceAll('.', '\\.')}'$`, 'm'));
    assert.doesNotMatch(script, /__PYBIN_/);
  });

  test('http is accepted for loopback hosts only', () => {
    for (const downloadUrl of ['http://127.0.0.1:8080/download/v1', 'http://localhost/r']) {
      assert.doesNotThrow(() => renderInstallScript({ name: 'app', downloadUrl }), downloadUrl);
    }
  });

  test('refuses a name that is not letters, digits, . _ -', () => {
    for (const name of ['', 'my app', 'a/b', '../x', '.hidden', '-rf', "a'b", 'a$(id)', 'a`id`', 'a;b', 'a\nb']) {
      assert.throws(() => renderInstallScript({ name, downloadUrl: DOWNLOAD_URL }), (error: Error) => {
        assert.ok(error instanceof PybinError);
        assert.match(error.message, /binary name .* must start with a letter or digit and hold only letters, digits/);
        return true;
      }, JSON.stringify(name));
    }
  });

  test('refuses a download URL that is not a plain https (or loopback http) download root', () => {
    const cases: [string, RegExp][] = [
      ['http://github.com/o/r/releases/download/v1', /must be https \(http only for 127\.0\.0\.1 or localhost\)/],
      ['http://127.0.0.2/r', /must be https/],
      ['ftp://example.com/r', /must be https/],
      ['file:///etc', /must be https/],
      ['github.com/o/r/releases/download/v1', /is not a URL/],
      ['', /holds characters a URL may not/],
      [`${DOWNLOAD_URL}/`, /must not end with \//],
      [`${DOWNLOAD_URL}?x=1`, /without \? or #/],
      [`${DOWNLOAD_URL}#x`, /without \? or #/],
      ['https://user:secret@github.com/o/r', /must not hold credentials/],
      [`${DOWNLOAD_URL} v2`, /holds characters a URL may not/],
      [`${DOWNLOAD_URL}\`id\``, /holds characters a URL may not/],
      [`${DOWNLOAD_URL}"x`, /holds characters a URL may not/],
      [`${DOWNLOAD_URL}\\x`, /holds characters a URL may not/],
      [`${DOWNLOAD_URL}\nid`, /holds characters a URL may not/],
    ];
    for (const [downloadUrl, message] of cases) {
      assert.throws(() => renderInstallScript({ name: 'app', downloadUrl }), (error: Error) => {
        assert.ok(error instanceof PybinError);
        assert.match(error.message, message);
        assert.ok(error.message.includes(JSON.stringify(downloadUrl)), 'names the URL');
        return true;
      }, JSON.stringify(downloadUrl));
    }
  });

  for (const shell of SHELLS) {
    test(`parses under ${shell} (sh -n)`, { skip: hasShell(shell) ? false : `${shell} is not installed` }, () => {
      const parsed = runScript(shell, renderInstallScript({ name: 'app', downloadUrl: DOWNLOAD_URL }), [], ['-n']);
      assert.equal(parsed.status, 0, parsed.stderr);
      assert.equal(parsed.stderr, '');
    });

    test(`${shell}: a URL with ', $(...), $VAR and ; stays one literal value`, { skip: hasShell(shell) ? false : `${shell} is not installed` }, () => {
      const markerDir = mkdtempSync(join(tmpdir(), 'pybin-install-marker-'));
      const payload = (marker: string) => `$(touch$IFS${join(markerDir, marker)})`;
      const downloadUrl = `https://example.com/o'r/${payload('a')}/'${payload('b')}'/$HOME;touch$IFS${join(markerDir, 'c')}`;
      assert.equal(spawnSync(shell, ['-c', `x=${payload('control')}`]).status, 0);
      assert.ok(existsSync(join(markerDir, 'control')), 'the payload runs when it is not quoted');

      const result = runScript(shell, renderInstallScript({ name: 'app', downloadUrl }), ['--help']);
      assert.equal(result.status, 0, result.stderr);
      assert.ok(result.stdout.includes(`Installs app for this machine from ${downloadUrl}\n`), result.stdout);
      for (const marker of ['a', 'b', 'c']) assert.equal(existsSync(join(markerDir, marker)), false, `payload ${marker} did not run`);
    });

    test(`${shell}: --help and bad arguments`, { skip: hasShell(shell) ? false : `${shell} is not installed` }, () => {
      const script = renderInstallScript({ name: 'app', downloadUrl: DOWNLOAD_URL });
      const help = runScript(shell, script, ['--help']);
      assert.equal(help.status, 0, help.stderr);
      assert.match(help.stdout, /^Usage: sh install\.sh \[--to DIR\] \[--help\]$/m);
      assert.match(help.stdout, /XDG_BIN_HOME:-\$HOME\/\.local\/bin/);
      for (const [args, message] of [
        [['--bogus'], /^install\.sh: unknown argument: --bogus \(see --help\)\n$/],
        [['--to'], /^install\.sh: --to needs a directory\n$/],
        [['--to', ''], /^install\.sh: --to needs a directory\n$/],
        [['--to='], /^install\.sh: --to needs a directory\n$/],
      ] as [string[], RegExp][]) {
        const result = runScript(shell, script, args);
        assert.notEqual(result.status, 0, args.join(' '));
        assert.match(result.stderr, message);
        assert.equal(result.stdout, '');
      }
      const { HOME: _home, XDG_BIN_HOME: _xdg, ...homeless } = process.env;
      const noHome = runScript(shell, script, [], [], homeless);
      assert.notEqual(noHome.status, 0);
      assert.equal(noHome.stderr, 'install.sh: HOME is not set: pass --to DIR\n');
    });
  }
});
