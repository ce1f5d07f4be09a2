import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { keepChecksums, mergeChecksums, updateChecksums } from '../../../src/plumbing/checksums.js';
import { sha256 } from '../../../src/plumbing/hash.js';
import { packageRoot } from '../../../src/plumbing/package-root.js';

const sha = (c: string) => c.repeat(64);

test('mergeChecksums: one line per file, the second argument winning, sorted, other lines kept', () => {
  const theirs = `${sha('1')}  b\n${sha('2')} *a\n# made by hand\n\n`;
  const ours = `${sha('3')}  b\r\n${sha('4')}  c\n`;
  assert.equal(mergeChecksums(theirs, ours), `# made by hand\n${sha('2')} *a\n${sha('3')}  b\n${sha('4')}  c\n`);
  assert.equal(mergeChecksums('', ''), '');
});

test('keepChecksums: drops the lines of files not kept, keeps lines of another shape', () => {
  assert.equal(keepChecksums(`# note\n${sha('1')}  a\n${sha('2')}  b\n`, (name) => name !== 'b'), `# note\n${sha('1')}  a\n`);
});

test('updateChecksums: adds or replaces the lines of the files, and drops lines of files no longer in DIR', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pybin-sums-'));
  writeFileSync(join(dir, 'SHA256SUMS'), `${sha('a')}  zeta-linux-x86_64\n${sha('b')}  app-linux-x86_64\n${sha('c')}  gone-linux-x86_64\n`);
  writeFileSync(join(dir, 'zeta-linux-x86_64'), 'an earlier build');
  writeFileSync(join(dir, 'app-linux-x86_64'), 'new bytes');
  writeFileSync(join(dir, 'app-linux-x86_64.cdx.json'), '{}');
  const digests = await updateChecksums(dir, [join(dir, 'app-linux-x86_64'), join(dir, 'app-linux-x86_64.cdx.json')]);
  const digest = sha256(Buffer.from('new bytes'));
  assert.equal(digests.get(join(dir, 'app-linux-x86_64')), digest);
  assert.equal(
    readFileSync(join(dir, 'SHA256SUMS'), 'utf8'),
    `${digest}  app-linux-x86_64\n${sha256(Buffer.from('{}'))}  app-linux-x86_64.cdx.json\n${sha('a')}  zeta-linux-x86_64\n`,
  );
  assert.deepEqual(readdirSync(dir).filter((f) => f.includes('.tmp') || f.endsWith('.lock')), [], 'no temporary file or lock left');
});

test('updateChecksums: builds into one dir from several processes at once all land their lines', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pybin-sums-'));
  const module = pathToFileURL(join(packageRoot(), 'src', 'plumbing', 'checksums.ts')).href;
  // Each process adds its files one at a time: read-modify-write cycles that interleave across processes.
  const names = (p: number) => Array.from({ length: 8 }, (_, i) => `app${p}-${i}-linux-x86_64`);
  const script = (p: number) =>
    `const { updateChecksums } = await import(${JSON.stringify(module)}); const { writeFileSync } = await import('node:fs');` +
    `for (const name of ${JSON.stringify(names(p))}) { writeFileSync(${JSON.stringify(dir)} + '/' + name, name); await updateChecksums(${JSON.stringify(dir)}, [${JSON.stringify(dir)} + '/' + name]); }`;
  const run = (p: number) =>
    new Promise<number | null>((resolve) => spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script(p)], { stdio: 'inherit' }).on('exit', resolve));
  assert.deepEqual(await Promise.all([0, 1, 2, 3].map(run)), [0, 0, 0, 0]);
  const all = [0, 1, 2, 3].flatMap(names).sort();
  assert.deepEqual(readFileSync(join(dir, 'SHA256SUMS'), 'utf8').trim().split('\n'), all.map((name) => `${sha256(Buffer.from(name))}  ${name}`));
});
