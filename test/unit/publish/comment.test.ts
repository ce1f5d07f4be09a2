import { getOctokit } from '@actions/github';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  PREVIEW_MARKER,
  mergePreviewRows,
  parsePreviewRows,
  renderPreviewComment,
  upsertPreviewComment,
  type PreviewRow,
} from '../../../src/publish/comment.js';
import { startGitHubServerFor, type GitHubServer } from '../../support/github-server.js';

const repo = { owner: 'octo', repo: 'hello' };
const linux: PreviewRow = {
  binary: 'hello-linux-x86_64',
  target: 'x86_64-unknown-linux-musl',
  size: 12_345_678,
  sha256: 'a'.repeat(64),
  artifactUrl: 'https://github.com/octo/hello/actions/runs/7/artifacts/1',
};
const macos: PreviewRow = { binary: 'hello-macos-arm64', target: 'aarch64-apple-darwin', size: 9_000_000, sha256: 'b'.repeat(64) };

function upsert(github: GitHubServer, rows: PreviewRow[], warnings: string[] = [], issueNumber = 42) {
  return upsertPreviewComment({
    octokit: getOctokit('test-token', { baseUrl: github.base }),
    repo,
    issueNumber,
    rows,
    warn: (message) => warnings.push(message),
  });
}

test('the comment: the marker, a table row per binary, and the rows read back from it', () => {
  const body = renderPreviewComment([linux, macos]);
  assert.ok(body.startsWith(`${PREVIEW_MARKER}\n`));
  const table = body.split('\n').filter((line) => line.startsWith('| hello') || line.startsWith('| ['));
  assert.deepEqual(table, [
    `| [hello-linux-x86_64](${linux.artifactUrl}) | x86_64-unknown-linux-musl | 12.3 MB | \`${'a'.repeat(64)}\` |`,
    `| hello-macos-arm64 | aarch64-apple-darwin | 9.0 MB | \`${'b'.repeat(64)}\` |`,
  ]);
  assert.deepEqual(parsePreviewRows(body), [linux, macos]);
});

test('rows whose names could break the table or the hidden data survive the round trip', () => {
  const odd: PreviewRow = { binary: 'we|ird [-->] <b>', target: 't\nx', size: 1, sha256: 'c'.repeat(64) };
  const body = renderPreviewComment([odd]);
  const hidden = body.split('\n').filter((line) => line.startsWith('<!-- pybin-row'));
  assert.deepEqual(hidden.map((line) => line.indexOf('-->')), [hidden[0]!.length - 3], 'the hidden data ends only where it should');
  assert.ok(body.includes('| we\\|ird \\[--&gt;\\] &lt;b&gt; | t x |'), body);
  assert.deepEqual(parsePreviewRows(body), [odd]);
});

test('rows that cannot be read back are left out', () => {
  const body = `${PREVIEW_MARKER}\n<!-- pybin-row {"binary":"x"} -->\n<!-- pybin-row not json -->\n${renderPreviewComment([macos])}`;
  assert.deepEqual(parsePreviewRows(body), [macos]);
  assert.deepEqual(parsePreviewRows('a comment by a person'), []);
});

test('merging rows: ours replace theirs of the same binary, theirs stay, sorted by binary', () => {
  const rebuilt = { ...linux, sha256: 'd'.repeat(64) };
  assert.deepEqual(mergePreviewRows([macos, linux], [rebuilt]), [rebuilt, macos]);
  assert.deepEqual(mergePreviewRows([], [macos, linux]), [linux, macos]);
});

test('a sticky comment: created by the first job, then updated by the next with its own row', async (t) => {
  const github = await startGitHubServerFor(t);
  // Enough other comments that ours is on the second page.
  for (let i = 0; i < 120; i++) github.comments.push({ id: i + 1, issue: 42, body: `comment ${i}` });
  github.comments.push({ id: 500, issue: 7, body: `${PREVIEW_MARKER} on another pull request` });

  const first = await upsert(github, [linux]);
  const ours = github.comments.filter((c) => c.body.includes(PREVIEW_MARKER) && c.issue === 42);
  assert.equal(ours.length, 1);
  assert.equal(first?.url, `https://github.com/octo/hello/pull/42#issuecomment-${ours[0]!.id}`);
  assert.deepEqual(parsePreviewRows(ours[0]!.body), [linux]);

  const second = await upsert(github, [macos]);
  assert.equal(second?.url, first.url);
  assert.equal(github.comments.filter((c) => c.body.includes(PREVIEW_MARKER) && c.issue === 42).length, 1);
  assert.deepEqual(parsePreviewRows(ours[0]!.body), [linux, macos]);

  const rebuilt = { ...linux, sha256: 'e'.repeat(64) };
  await upsert(github, [rebuilt]);
  assert.deepEqual(parsePreviewRows(ours[0]!.body), [rebuilt, macos]);
  assert.deepEqual(
    github.requests.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.url}`),
    [
      'POST /repos/octo/hello/issues/42/comments',
      `PATCH /repos/octo/hello/issues/comments/${ours[0]!.id}`,
      `PATCH /repos/octo/hello/issues/comments/${ours[0]!.id}`,
    ],
  );
  assert.equal(github.comments.find((c) => c.id === 500)?.body, `${PREVIEW_MARKER} on another pull request`);
});

test('only a comment the token itself wrote is updated: a planted one with the marker is left alone', async (t) => {
  const github = await startGitHubServerFor(t);
  const planted = `${renderPreviewComment([{ ...linux, artifactUrl: 'https://evil.example/app' }])}`;
  github.comments.push({ id: 900, issue: 42, body: planted, author: 'mallory' });
  await upsert(github, [linux]);
  assert.equal(github.comments.find((c) => c.id === 900)?.body, planted, 'the planted comment is untouched');
  const ours = github.comments.filter((c) => c.issue === 42 && c.id !== 900);
  assert.equal(ours.length, 1, 'a comment of our own was created');
  assert.deepEqual(parsePreviewRows(ours[0]!.body), [linux], 'no row was taken from the planted comment');

  // A personal token: its user's comments are its own.
  github.tokenUser = 'octocat';
  github.comments.push({ id: 901, issue: 43, body: renderPreviewComment([macos]), author: 'octocat' });
  await upsert(github, [linux], [], 43);
  assert.deepEqual(parsePreviewRows(github.comments.find((c) => c.id === 901)!.body), [linux, macos]);
});

test('a read-only token (a pull request from a fork): a warning, no comment, no failure', async (t) => {
  const github = await startGitHubServerFor(t);
  github.readOnly = true;
  const warnings: string[] = [];
  assert.equal(await upsert(github, [linux], warnings), undefined);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /pull request #42 \(Resource not accessible by integration.*pull-requests: write/);
  assert.deepEqual(github.comments, []);
});
