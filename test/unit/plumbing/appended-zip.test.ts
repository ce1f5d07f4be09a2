import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeDeterministicZip } from '../../../src/bundle/zip.js';
import { openAppendedZip } from '../../../src/plumbing/appended-zip.js';
import { tempDir } from '../../support/tmp.js';

const PREFIX = Buffer.concat([Buffer.from('\x7fELF'), Buffer.alloc(4093, 0x5a)]);

async function fusedZip(dir: string): Promise<string> {
  const zip = join(dir, 'app.zip');
  await writeDeterministicZip(
    [
      { name: 'a/deflated.txt', data: Buffer.from('hello '.repeat(1000)) },
      { name: 'stored.bin', data: Buffer.from([1, 2, 3]), store: true },
    ],
    zip,
    'deflate',
  );
  const binary = join(dir, 'binary');
  writeFileSync(binary, Buffer.concat([PREFIX, readFileSync(zip)]));
  return binary;
}

test('finds the ZIP after the executable bytes and reads deflated and stored members', async () => {
  const dir = tempDir('zip');
  const zip = openAppendedZip(await fusedZip(dir))!;
  try {
    assert.equal(zip.prefixSize, PREFIX.length);
    assert.equal(zip.zipSize, readFileSync(join(dir, 'app.zip')).length);
    assert.deepEqual([...zip.members.keys()].sort(), ['a/', 'a/deflated.txt', 'stored.bin']);
    assert.equal(zip.read('a/deflated.txt').toString(), 'hello '.repeat(1000));
    assert.deepEqual([...zip.read('stored.bin')], [1, 2, 3]);
    assert.throws(() => zip.read('missing'), /has no missing in its ZIP/);
  } finally {
    zip.close();
  }
});

test('no ZIP: a file without one, and one cut short, give undefined', async () => {
  const dir = tempDir('zip');
  writeFileSync(join(dir, 'plain'), PREFIX);
  assert.equal(openAppendedZip(join(dir, 'plain')), undefined);
  const binary = await fusedZip(dir);
  truncateSync(binary, readFileSync(binary).length - 10);
  assert.equal(openAppendedZip(binary), undefined);
  writeFileSync(join(dir, 'empty'), '');
  assert.equal(openAppendedZip(join(dir, 'empty')), undefined);
});

const PYTHON = ['/usr/bin/python3.11', '/usr/bin/python3'].find((p) => existsSync(p));

test('a zip64 ZIP (over 65,535 entries) after a prefix', { skip: PYTHON ? false : 'no real python3 in /usr/bin to write a zip64 archive' }, () => {
  const dir = tempDir('zip');
  // zipfile writes zip64 end records once there are more than 65,535 entries; its offsets count from the ZIP's start, as archiver's do.
  const script = `import zipfile,sys\nwith zipfile.ZipFile(sys.argv[1], 'w') as z:\n    [z.writestr(f'm{i}.py', str(i)) for i in range(70000)]`;
  const made = spawnSync(PYTHON!, ['-I', '-c', script, join(dir, 'app.zip')], { encoding: 'utf8' });
  assert.equal(made.status, 0, made.stderr);
  const binary = join(dir, 'binary');
  writeFileSync(binary, Buffer.concat([PREFIX, readFileSync(join(dir, 'app.zip'))]));
  const zip = openAppendedZip(binary)!;
  try {
    assert.equal(zip.members.size, 70000);
    assert.equal(zip.prefixSize, PREFIX.length);
    assert.equal(zip.read('m69999.py').toString(), '69999');
  } finally {
    zip.close();
  }
});

test('a damaged member is an error naming it, deflated or stored', async () => {
  const dir = tempDir('zip');
  const binary = await fusedZip(dir);
  const bytes = readFileSync(binary);
  const zip = openAppendedZip(binary)!;
  const offsetOf = (name: string) => {
    const member = zip.members.get(name)!;
    return zip.prefixSize + member.localOffset + 30 + name.length + bytes.readUInt16LE(zip.prefixSize + member.localOffset + 28);
  };
  const [deflated, stored] = [offsetOf('a/deflated.txt'), offsetOf('stored.bin')];
  zip.close();
  for (const at of [deflated + 5, stored]) {
    const damaged = Buffer.from(bytes);
    damaged[at] = damaged[at]! ^ 0xff;
    writeFileSync(binary, damaged);
    const reopened = openAppendedZip(binary)!;
    try {
      const name = at === stored ? 'stored.bin' : 'a/deflated.txt';
      assert.throws(() => reopened.read(name), new RegExp(`the ZIP entry ${name} is damaged`));
    } finally {
      reopened.close();
    }
  }
});
