import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { mergeChecksums, updateChecksums } from '../../../src/plumbing/checksums.js';
import { sha256 } from '../../../src/plumbing/hash.js';

const sha = (c: string) => c.repeat(64);

test('mergeChecksums: one line per file, the second argument winning, sorted, other lines kept', () => {
  const theirs = `${sha('1')}  b\n${sha('2')} *a\n# made by hand\n\n`;
  const ours = `${sha('3')}  b\r\n${sha('4')}  c\n`;
  assert.equal(mergeChecksums(theirs, ours), `# made by hand\n${sha('2')} *a\n${sha('3')}  b\n${sha('4')}  c\n`);
  assert.equal(mergeChecksums('', ''), '');
});

test('updateChecksums: adds or replaces the binary\'s line in DIR/SHA256SUMS', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pybin-sums-'));
  writeFileSync(join(dir, 'SHA256SUMS'), `${sha('a')}  zeta-linux-x86_64\n${sha('b')}  app-linux-x86_64\n`);
  writeFileSync(join(dir, 'app-linux-x86_64'), 'new bytes');
  const digest = updateChecksums(dir, join(dir, 'app-linux-x86_64'));
  assert.equal(digest, sha256(Buffer.from('new bytes')));
  assert.equal(readFileSync(join(dir, 'SHA256SUMS'), 'utf8'), `${digest}  app-linux-x86_64\n${sha('a')}  zeta-linux-x86_64\n`);
});
