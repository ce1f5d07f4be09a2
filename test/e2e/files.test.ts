import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { packageRoot } from '../../src/plumbing/package-root.js';
import { inChroot, systemLibraries } from '../support/chroot.js';
import { pybinBuild } from '../support/cli.js';
import { run } from '../support/run.js';
import { TEST_PYTHONS, testToolchain } from '../support/toolchain.js';
import { tempDir } from '../support/tmp.js';

// The data files inside a binary must behave as they do on disk: the fixture
// app reports (as JSON) stat fields and their types, inode numbers, samefile,
// bytes paths, ., .. and relative paths, errors, and reads from threads and
// from forked children. The binary's report must equal the report of the same
// app run from a real directory by the toolchain's own CPython.

const FIXTURE = join(packageRoot(), 'test', 'fixtures', 'apps', 'files');
const SIBLING = 'beside\n';

const digest = (data: Buffer) => createHash('sha256').update(data).digest('hex').slice(0, 16);

/** 256 KiB that deflate cannot shrink: larger than any file buffer, so reads reach the file offset. */
function blob(): Buffer {
  const blocks: Buffer[] = [];
  let block = Buffer.from('pybin files test');
  for (let size = 0; size < 256 * 1024; size += block.length) {
    block = createHash('sha256').update(block).digest();
    blocks.push(block);
  }
  return Buffer.concat(blocks);
}

type Report = Record<string, any>;

function parse(label: string, result: { status: number | null; stdout: string; stderr: string }): Report {
  assert.equal(result.status, 0, `${label} exited ${result.status}:\n${result.stderr}`);
  return JSON.parse(result.stdout) as Report;
}

/** The writes: refused inside the binary, done (and undone) in a real directory. Removed from the report. */
function takeWrites(report: Report, inside: boolean): void {
  const expected = inside ? ['OSError', 'EROFS'] : null;
  assert.deepEqual(report.write, { open_w: expected, open_a: expected });
  delete report.write;
}

// Every tested version on the static target; the glibc target (whose runtime also loads compiled modules) on 3.11.
const VARIANTS: { python: string; target?: string }[] = [
  ...TEST_PYTHONS.map((python) => ({ python })),
  ...(TEST_PYTHONS.includes('3.11') ? [{ python: '3.11', target: 'x86_64-linux-gnu' }] : []),
];

for (const { python, target } of VARIANTS) {
  describe(`files inside the binary behave as files (CPython ${python}${target ? `, ${target}` : ''})`, { timeout: 60 * 60_000 }, () => {
    let binary = '';
    let reference: Report = {};
    let expectedDigests: Record<string, string> = {};

    before(async () => {
      // The app goes in a directory of its own, with sibling.txt beside it; the binary gets one too.
      const work = tempDir('files');
      const app = join(work, 'app', 'files');
      cpSync(FIXTURE, app, { recursive: true });
      writeFileSync(join(app, 'filespkg', 'data', 'blob.bin'), blob());
      writeFileSync(join(work, 'app', 'sibling.txt'), SIBLING);
      const names = ['a.txt', 'blob.bin', 'empty.txt', 'grüße.txt', 'lines.txt', 'sub/c.json', 'sub/deeper/d.txt'];
      expectedDigests = Object.fromEntries(names.map((n) => [n, digest(readFileSync(join(app, 'filespkg', 'data', n)))]));

      const out = join(work, 'out');
      const built = await pybinBuild(python, [app, '--out', out, ...(target ? ['--target', target] : [])]);
      assert.equal(built.status, 0, built.stderr);
      binary = built.stdout.trim().split('\n').at(-1)!;
      assert.ok(existsSync(binary), `${binary} exists`);
      writeFileSync(join(out, 'sibling.txt'), SIBLING);

      const toolchain = await testToolchain(python, target);
      const interpreter = join(toolchain.dir, 'bin', 'python3');
      const ran = await run(interpreter, ['-B', join(app, '__main__.py')], { env: { PATH: '/usr/bin:/bin', PYBIN_INTERPRETER: '1' }, cwd: work });
      reference = parse('the reference run', ran);
      takeWrites(reference, false);
    });

    test('the reference run itself says what a real directory does', () => {
      // Guards the comparison below: a reference that went wrong would make it meaningless.
      for (const [section, value] of Object.entries(reference)) assert.equal(value.raised, undefined, `${section}: ${value.raised}`);
      assert.deepEqual(reference.digests, expectedDigests);
      assert.deepEqual(reference.threads, { digests: Object.fromEntries(Object.entries(expectedDigests).map(([n, d]) => [n, [d]])), errors: [] });
      assert.equal(reference.stat['a.txt'].types.st_mtime_ns, 'int');
      assert.equal(reference.inodes.distinct, true);
      assert.equal(reference.paths.dotdot_out_of_root, SIBLING);
    });

    test('the binary reports what a real directory does', async () => {
      const report = parse('the binary', await run(binary, [], { cwd: tmpdir() }));
      takeWrites(report, true);
      assert.deepEqual(report, reference);

      // The points of issue 7, spelled out (the comparison above already covers them).
      const aTxt = report.stat['a.txt'];
      assert.deepEqual(aTxt.types, {
        st_mode: 'int', st_ino: 'int', st_dev: 'int', st_nlink: 'int', st_uid: 'int', st_gid: 'int', st_size: 'int',
        st_atime: 'float', st_mtime: 'float', st_ctime: 'float', st_atime_ns: 'int', st_mtime_ns: 'int', st_ctime_ns: 'int',
        st_blksize: 'int', st_blocks: 'int', st_rdev: 'int',
      });
      assert.equal(aTxt.ns_as_float, true);
      assert.equal(aTxt.dev_is_the_apps, true, "st_dev is the executable's");
      assert.equal(report.stat.sub.kind, 'dir');
      assert.equal(report.inodes.distinct, true);
      assert.equal(report.inodes.dirent_matches_stat, true);
      assert.equal(report.inodes.samefile_other_spelling, true);
      assert.equal(report.inodes.samefile_other_file, false);
      assert.equal(report.paths.dotdot_inside, 'alpha\n');
      assert.equal(report.paths.dotdot_out_of_root, SIBLING, '<exe>/../sibling.txt is the real file beside the binary');
      assert.equal(report.paths.relative_open, 'alpha\n');
      assert.deepEqual(report.bytes.listdir_types, ['bytes']);
      assert.deepEqual(report.bytes.scandir_types, ['bytes']);
      assert.equal(report.bytes.open_name_type, 'bytes');
      assert.deepEqual(report.fork.child, Object.values(expectedDigests).sort());
      assert.deepEqual(report.fork.parent, Object.values(expectedDigests).sort());
      assert.deepEqual(report.closed_descriptors.child, Object.values(expectedDigests).sort());
      assert.equal(report.tree.copies_writable, true, 'shutil.copy/copytree copies stay writable');
    });

    test('inode numbers are stable from run to run, and one per entry', async () => {
      const first = parse('--inodes', await run(binary, ['--inodes']));
      const second = parse('--inodes', await run(binary, ['--inodes']));
      assert.deepEqual(second, first);
      const numbers = Object.values(first) as number[];
      assert.ok(numbers.every(Number.isSafeInteger), `exact in a double: ${numbers}`);
      assert.equal(new Set(numbers).size, numbers.length);
      assert.equal(numbers.length, 10, 'the data dir, 7 files and 2 subdirectories');
    });

    test(`in an empty root${target ? ' (with the system libraries a glibc binary needs)' : ''}, too`, async (t) => {
      const options = target ? { hostFiles: systemLibraries([readFileSync(binary)]) } : {};
      const chrooted = await inChroot(t, binary, [], {}, { 'sibling.txt': SIBLING }, options);
      if (!chrooted) return; // skipped, saying why
      const report = parse('the binary in a chroot', chrooted);
      takeWrites(report, true);
      assert.deepEqual(report, reference);
    });
  });
}
