import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { compareGlibc, glibcFloor, readElfDynamic, type ElfDynamicInfo } from '../../../src/plumbing/elf.js';

const READELF = '/usr/bin/readelf';
const hostMachine = ({ x64: 'x86_64', arm64: 'aarch64' } as Record<string, string>)[process.arch];
const libDir = `/usr/lib/${hostMachine}-linux-gnu`;

function run(argv: string[]): { status: number | null; stdout: string; stderr: string } {
  const [command, ...args] = argv;
  // readelf -V lists every dynamic symbol's version: large for big libraries.
  const result = spawnSync(command!, args, { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' }, maxBuffer: 256 << 20 });
  return { status: result.error ? null : result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
}

/** What readelf says about the same file, in the shape readElfDynamic returns (without machine). */
function readelfView(path: string): Omit<ElfDynamicInfo, 'machine' | 'libraryNames'> {
  const dynamic = run([READELF, '-d', '-W', path]).stdout;
  const needed = [...dynamic.matchAll(/\(NEEDED\)\s+Shared library: \[(.*)\]/g)].map((m) => m[1]!);
  const soname = /\(SONAME\)\s+Library soname: \[(.*)\]/.exec(dynamic)?.[1];
  const versionNeeds: ElfDynamicInfo['versionNeeds'] = [];
  const section = run([READELF, '-V', '-W', path]).stdout.split(/^Version needs section/m)[1] ?? '';
  for (const line of section.split('\n')) {
    const file = /^\s*0x?[0-9a-f]+: Version: \d+\s+File: (\S+)/.exec(line)?.[1];
    if (file) versionNeeds.push({ file, versions: [] });
    const name = /^\s*0x[0-9a-f]+:\s+Name: (\S+)/.exec(line)?.[1];
    if (name) versionNeeds.at(-1)!.versions.push(name);
  }
  return { needed, ...(soname === undefined ? {} : { soname }), versionNeeds };
}

function assertAgreesWithReadelf(path: string): ElfDynamicInfo {
  const data = readFileSync(path);
  const info = readElfDynamic(data);
  const { machine, libraryNames, ...rest } = info;
  assert.equal(machine, hostMachine, path);
  assert.deepEqual(rest, readelfView(path), path);
  // Each library name is where the file says: the bytes there are the name, NUL-terminated.
  for (const { name, offset } of libraryNames) assert.equal(data.toString('utf8', offset, offset + name.length + 1), `${name}\0`, path);
  assert.deepEqual([...new Set(libraryNames.map((l) => l.name))].sort(), [...new Set([...rest.needed, ...rest.versionNeeds.map((v) => v.file)])].sort(), path);
  return info;
}

const skipUnlessReadelf = existsSync(READELF) && hostMachine ? false : `needs ${READELF} on x86_64 or aarch64 Linux`;

/** The file offset of an ELF64 little-endian file's segment of this p_type (PT_DYNAMIC: 2), by its program headers. */
function segmentOffset(data: Buffer, type: number): number | undefined {
  const phoff = Number(data.readBigUInt64LE(0x20));
  const phentsize = data.readUInt16LE(0x36);
  for (let i = 0, count = data.readUInt16LE(0x38); i < count; i++) {
    const at = phoff + i * phentsize;
    if (data.readUInt32LE(at) === type) return Number(data.readBigUInt64LE(at + 8));
  }
  return undefined;
}

/** The file offset of an ELF64 little-endian file's first section of this sh_type (SHT_GNU_verneed: 0x6ffffffe), by its section headers. */
function sectionOffset(data: Buffer, type: number): number | undefined {
  const shoff = Number(data.readBigUInt64LE(0x28));
  const shentsize = data.readUInt16LE(0x3a);
  for (let i = 0, count = data.readUInt16LE(0x3c); i < count; i++) {
    const at = shoff + i * shentsize;
    if (data.readUInt32LE(at + 4) === type) return Number(data.readBigUInt64LE(at + 0x18));
  }
  return undefined;
}

test('/bin/ls: its needed libraries and glibc versions are the ones readelf reports', { skip: skipUnlessReadelf }, () => {
  const info = assertAgreesWithReadelf('/bin/ls');
  assert.ok(info.needed.includes('libc.so.6'));
  assert.equal(info.soname, undefined);
  const libc = info.versionNeeds.find((n) => n.file === 'libc.so.6');
  assert.ok(libc && libc.versions.some((v) => v.startsWith('GLIBC_')));
  const highest = libc.versions.map((v) => v.replace(/^GLIBC_/, '')).filter((v) => /^[\d.]+$/.test(v)).sort(compareGlibc).at(-1);
  assert.equal(glibcFloor(info), highest);
});

test('libz: a shared library reports its soname', { skip: skipUnlessReadelf }, (t) => {
  const path = join(libDir, 'libz.so.1');
  if (!existsSync(path)) return t.skip(`no ${path} on this machine`);
  const info = assertAgreesWithReadelf(path);
  assert.equal(info.soname, 'libz.so.1');
  assert.deepEqual(info.needed, ['libc.so.6']);
});

test('more real libraries agree with readelf (libc, libstdc++: many version needs, several files)', { skip: skipUnlessReadelf }, (t) => {
  const paths = ['libc.so.6', 'libstdc++.so.6', 'libm.so.6', 'libselinux.so.1'].map((name) => join(libDir, name)).filter(existsSync);
  if (!paths.length) return t.skip(`none of the sample libraries is in ${libDir}`);
  for (const path of paths) assertAgreesWithReadelf(realpathSync(path));
});

test('a file without section headers is read through its program headers alone', { skip: skipUnlessReadelf }, () => {
  const data = readFileSync('/bin/ls');
  const expected = readElfDynamic(data);
  const stripped = Buffer.from(data);
  const shoff = Number(stripped.readBigUInt64LE(0x28));
  stripped.fill(0xff, shoff, Math.min(shoff + stripped.readUInt16LE(0x3a) * stripped.readUInt16LE(0x3c), stripped.length));
  stripped.writeBigUInt64LE(0n, 0x28); // e_shoff
  stripped.writeUInt16LE(0, 0x3c); // e_shnum
  stripped.writeUInt16LE(0, 0x3e); // e_shstrndx
  assert.deepEqual(readElfDynamic(stripped), expected);
});

test('a static executable has no dynamic section and gives empty lists', (t) => {
  if (run(['musl-gcc', '--version']).status === null) return t.skip('musl-gcc is not on PATH to build a static executable');
  const dir = mkdtempSync(join(tmpdir(), 'pybin-elf-'));
  writeFileSync(join(dir, 'main.c'), 'int main(void) { return 0; }\n');
  const built = run(['musl-gcc', '-static', '-o', join(dir, 'main'), join(dir, 'main.c')]);
  assert.equal(built.status, 0, built.stderr);
  const info = readElfDynamic(readFileSync(join(dir, 'main')));
  assert.deepEqual({ ...info, machine: undefined }, { machine: undefined, needed: [], versionNeeds: [], libraryNames: [] });
  assert.equal(glibcFloor(info), undefined);
});

test('the machine is named for x86_64 and aarch64, numbered otherwise', () => {
  const data = Buffer.from(readFileSync('/bin/ls'));
  data.writeUInt16LE(62, 0x12);
  assert.equal(readElfDynamic(data).machine, 'x86_64');
  data.writeUInt16LE(183, 0x12);
  assert.equal(readElfDynamic(data).machine, 'aarch64');
  data.writeUInt16LE(243, 0x12);
  assert.equal(readElfDynamic(data).machine, 'machine-243');
});

test('non-ELF, 32-bit and big-endian input is refused with a clear message', () => {
  assert.throws(() => readElfDynamic(Buffer.from('#!/bin/sh\necho hi\n')), /^Error: not an ELF file/);
  assert.throws(() => readElfDynamic(Buffer.alloc(0)), /not an ELF file/);
  const ls = readFileSync('/bin/ls');
  const withIdent = (index: number, value: number) => Buffer.from(ls).fill(value, index, index + 1);
  assert.throws(() => readElfDynamic(withIdent(4, 1)), /32-bit/);
  assert.throws(() => readElfDynamic(withIdent(5, 2)), /big-endian/);
});

test('a truncated ELF file throws instead of reading past the end', () => {
  const ls = readFileSync('/bin/ls');
  const dynamic = segmentOffset(ls, 2); // PT_DYNAMIC
  assert.ok(dynamic, '/bin/ls is dynamically linked');
  const cuts = [5, 20, 64, 100, dynamic + 20];
  for (const length of cuts) {
    assert.throws(() => readElfDynamic(ls.subarray(0, length)), /truncated/, `cut at ${length} bytes`);
  }
  // Wherever the cut falls, the answer is either an error or the whole answer, never a partial one.
  const whole = readElfDynamic(ls);
  for (let length = 0; length <= ls.length; length += 61) {
    let info: ElfDynamicInfo | undefined;
    try {
      info = readElfDynamic(ls.subarray(0, length));
    } catch (error) {
      assert.match((error as Error).message, /truncated|not an ELF file/, `cut at ${length} bytes`);
      continue;
    }
    assert.deepEqual(info, whole, `cut at ${length} bytes`);
  }
});

test('a corrupt string index or version chain throws, never reads out of range', async (t) => {
  const ls = Buffer.from(readFileSync('/bin/ls'));
  const info = readElfDynamic(ls);
  assert.ok(info.needed.length);
  // Point the first DT_NEEDED at a string far beyond the file.
  const phoff = Number(ls.readBigUInt64LE(0x20));
  const dynamic = Array.from({ length: ls.readUInt16LE(0x38) }, (_, i) => phoff + i * 56).find((at) => ls.readUInt32LE(at) === 2)!;
  const dynOffset = Number(ls.readBigUInt64LE(dynamic + 8));
  let entry = dynOffset;
  while (ls.readBigUInt64LE(entry) !== 1n) entry += 16;
  const original = ls.readBigUInt64LE(entry + 8);
  ls.writeBigUInt64LE(0xffff_ffffn, entry + 8);
  assert.throws(() => readElfDynamic(ls), /DT_NEEDED.*outside the file/);
  ls.writeBigUInt64LE(original, entry + 8);
  await t.test('a version need\'s aux chain', (t) => {
    // Send the first version need's aux chain (vn_aux) off the end of the file.
    const verneed = sectionOffset(ls, 0x6ffffffe); // SHT_GNU_verneed
    if (verneed === undefined) return t.skip('/bin/ls has no version needs section (no GNU symbol versions) to corrupt');
    assert.ok(info.versionNeeds.length, 'readElfDynamic reads the version needs it corrupts');
    ls.writeUInt32LE(0xffff_fff0, verneed + 8);
    assert.throws(() => readElfDynamic(ls), /version need aux entry.*outside the file/);
  });
});

test('glibcFloor takes the numerically highest GLIBC_ version over all files', () => {
  const info = (versionNeeds: ElfDynamicInfo['versionNeeds']): ElfDynamicInfo => ({ machine: 'x86_64', needed: [], versionNeeds, libraryNames: [] });
  assert.equal(
    glibcFloor(info([
      { file: 'libc.so.6', versions: ['GLIBC_2.2.5', 'GLIBC_2.9', 'GLIBC_PRIVATE'] },
      { file: 'libm.so.6', versions: ['GLIBC_2.17'] },
      { file: 'libstdc++.so.6', versions: ['GLIBCXX_3.4.30', 'CXXABI_1.3.13'] },
    ])),
    '2.17',
  );
  assert.equal(glibcFloor(info([{ file: 'libstdc++.so.6', versions: ['GLIBCXX_3.4'] }])), undefined);
  assert.equal(glibcFloor(info([])), undefined);
});

test('compareGlibc compares dotted versions numerically', () => {
  assert.ok(compareGlibc('2.9', '2.17') < 0);
  assert.ok(compareGlibc('2.17', '2.9') > 0);
  assert.ok(compareGlibc('3.0', '2.99') > 0);
  assert.ok(compareGlibc('2.3.4', '2.3') > 0);
  assert.equal(compareGlibc('2.17', '2.17'), 0);
  assert.equal(compareGlibc('2.17', '2.17.0'), 0);
  assert.deepEqual(['2.34', '2.5', '2.17', '2.2.5'].sort(compareGlibc), ['2.2.5', '2.5', '2.17', '2.34']);
  assert.throws(() => compareGlibc('2_17', '2.5'), /not a dotted version/);
});
