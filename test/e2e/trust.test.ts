import assert from 'node:assert/strict';
import { copyFileSync, cpSync, existsSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { before, describe, test } from 'node:test';
import { buildScript } from '../support/app.js';
import { pybin } from '../support/cli.js';
import { findRealPython } from '../support/real-python.js';
import { run } from '../support/run.js';
import { tempDir } from '../support/tmp.js';
import { TEST_PYTHONS, testSourcesFile, testToolchain } from '../support/toolchain.js';

/** A binary is never weaker than `python3 app.py`, and pybin never builds on a toolchain it did not check. */

const HIJACK = "from multiprocessing.spawn import spawn_main;print('PWNED')";

/** What the app sees of its command line, and what python3 would make of symlink-safe deletion. */
const REPORT = `
import json, os, shutil, sys
print(json.dumps({
    "argv": sys.argv[1:],
    "avoids_symlink_attacks": shutil.rmtree.avoids_symlink_attacks,
    "stat_dir_fd": os.stat in os.supports_dir_fd,
    "stat_fd": os.stat in os.supports_fd,
    "stat_follow": os.stat in os.supports_follow_symlinks,
    "scandir_fd": os.scandir in os.supports_fd,
    "listdir_fd": os.listdir in os.supports_fd,
}))
`;

for (const python of TEST_PYTHONS) {
  describe(`a pybin binary is no weaker than python3 (CPython ${python})`, { timeout: 30 * 60_000 }, () => {
    let binary = '';
    before(async () => {
      binary = await buildScript(python, REPORT, 'trust');
    });

    test('shutil.rmtree keeps its symlink-race-safe code, and os.supports_* are as under python3', async (t) => {
      const result = await run(binary, []);
      assert.equal(result.status, 0, result.stderr);
      const seen = JSON.parse(result.stdout);
      assert.equal(seen.avoids_symlink_attacks, true);
      const reference = findRealPython(python)?.path;
      if (!reference) return void t.skip(`no real CPython ${python} here to compare os.supports_* with`);
      const script = join(tempDir('ref'), 'report.py');
      writeFileSync(script, REPORT);
      const expected = JSON.parse((await run(reference, ['-I', script])).stdout);
      assert.deepEqual(seen, expected);
    });

    test('rmtree inside the binary deletes a tree without following a symlink out of it', async () => {
      const victim = tempDir('victim');
      writeFileSync(join(victim, 'keep.txt'), 'keep');
      const tree = tempDir('tree');
      writeFileSync(join(tree, 'a.txt'), 'a');
      symlinkSync(victim, join(tree, 'link'));
      const remover = await buildScript(python, 'import shutil, sys\nshutil.rmtree(sys.argv[1])\n', 'rmtree');
      const result = await run(remover, [tree]);
      assert.equal(result.status, 0, result.stderr);
      assert.ok(!existsSync(tree));
      assert.equal(readFileSync(join(victim, 'keep.txt'), 'utf8'), 'keep');
    });

    test('whoever chooses only the arguments gets the app, never an interpreter', async () => {
      const result = await run(binary, ['-c', HIJACK]);
      assert.equal(result.status, 0, result.stderr);
      assert.doesNotMatch(result.stdout, /^PWNED$/m, 'the code did not run');
      assert.deepEqual(JSON.parse(result.stdout).argv, ['-c', HIJACK], 'the app got its arguments');
      // Not even with another binary's mark (a parent that is another pybin app).
      const other = await run(binary, ['-c', HIJACK], { env: { ...process.env, PYBIN_CHILD_OF: '/usr/local/bin/other-app' } });
      assert.doesNotMatch(other.stdout, /^PWNED$/m);
      assert.deepEqual(JSON.parse(other.stdout).argv, ['-c', HIJACK]);
    });

    test('a stripped or truncated binary says in one line that its app is gone', async () => {
      const stripped = join(tempDir('stripped'), 'trust');
      copyFileSync(binary, stripped);
      const strip = await run('strip', [stripped]);
      assert.equal(strip.status, 0, strip.stderr);
      const truncated = join(tempDir('truncated'), 'trust');
      const bytes = readFileSync(binary);
      writeFileSync(truncated, bytes.subarray(0, bytes.length - 4096), { mode: 0o755 });
      for (const broken of [stripped, truncated]) {
        const result = await run(broken, ['--name', 'x']);
        assert.equal(result.status, 127, broken);
        assert.match(result.stderr, /^pybin: \S+ has lost the app appended to it \(stripped or truncated\?\): download or build it again, and do not strip pybin binaries\n$/);
        assert.equal(result.stdout, '');
      }
    });

    test('a central-directory record that runs past the directory is not read: the binary fails cleanly', async () => {
      const bytes = Buffer.from(readFileSync(binary));
      const eocd = bytes.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
      const entries = bytes.readUInt16LE(eocd + 10);
      const size = bytes.readUInt32LE(eocd + 12);
      let record = eocd - size;
      for (let i = 0; i < entries - 1; i++) record += 46 + bytes.readUInt16LE(record + 28) + bytes.readUInt16LE(record + 30) + bytes.readUInt16LE(record + 32);
      assert.equal(bytes.readUInt32LE(record), 0x02014b50, 'the last central-directory record');
      bytes.writeUInt16LE(0xffff, record + 28); // a name running far past the end of the file
      const damaged = join(tempDir('damaged'), 'trust');
      writeFileSync(damaged, bytes, { mode: 0o755 });
      const result = await run(damaged, []);
      assert.equal(result.signal, null, `killed by ${result.signal}`);
      assert.notEqual(result.status, 0);
    });
  });
}

describe('a toolchain in pybin\'s cache that was edited is not built on', { timeout: 30 * 60_000 }, () => {
  test('it is built again, saying why (here the rebuild stops at a missing source: the edited one was not used)', async () => {
    const python = TEST_PYTHONS[0]!;
    const toolchain = await testToolchain(python);
    // A copy in a cache of its own, at the same name: the suite's toolchain stays untouched.
    const cache = tempDir('edited-cache');
    const copy = join(cache, 'toolchains', basename(toolchain.dir));
    cpSync(toolchain.dir, copy, { recursive: true, verbatimSymlinks: true });
    writeFileSync(join(copy, toolchain.metadata.launcher), '#!/bin/sh\necho planted\n');
    // Every source missing: a rebuild stops at its first download.
    const sources = JSON.parse(readFileSync(testSourcesFile(), 'utf8')) as Record<string, { path?: string; sha256: string }>;
    for (const id of Object.keys(sources)) sources[id] = { path: `/nowhere/${id}.tar.gz`, sha256: sources[id]!.sha256 };
    const broken = join(tempDir('sources'), 'sources.json');
    writeFileSync(broken, JSON.stringify(sources));
    const result = await pybin(['toolchain', '--python', python, '--cache-dir', cache, '--sources', broken]);
    assert.match(result.stderr, /warning: the cached toolchain \S+ cannot be used \(its contents changed since it was made .*\): building it again/);
    assert.notEqual(result.status, 0, 'the rebuild needs the missing source');
    assert.match(result.stderr, /missing source tarball for \S+: \/nowhere\//);
    assert.ok(!existsSync(copy), 'the edited toolchain is gone');
  });
});
