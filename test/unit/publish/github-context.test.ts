import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PybinError } from '../../../src/plumbing/errors.js';
import { isReadOnlyTokenError, readGitHubContext } from '../../../src/publish/github-context.js';

const run = { GITHUB_REPOSITORY: 'octo/hello', GITHUB_EVENT_NAME: 'push', GITHUB_RUN_ID: '9001', GITHUB_EVENT_PATH: '/run/event.json' };

/** A readEvent that serves `payload` for the runner's event path only. */
const event = (payload: unknown) => (path: string) => {
  assert.equal(path, '/run/event.json');
  return payload;
};

const pullRequest = (head: string | null, base = 'octo/hello') => ({
  pull_request: { number: 42, head: { repo: head === null ? null : { full_name: head } }, base: { repo: { full_name: base } } },
});

test('a tag push on github.com: the tag from the ref, GitHub.com URLs, the run URL', () => {
  const context = readGitHubContext({ ...run, GITHUB_REF: 'refs/tags/v1.2.3', GITHUB_SHA: 'cafe' }, event({}));
  assert.deepEqual(context, {
    apiUrl: 'https://api.github.com',
    serverUrl: 'https://github.com',
    repository: { owner: 'octo', repo: 'hello' },
    eventName: 'push',
    ref: 'refs/tags/v1.2.3',
    sha: 'cafe',
    tag: 'v1.2.3',
    pullRequest: undefined,
    runId: '9001',
    runAttempt: 1,
    runUrl: 'https://github.com/octo/hello/actions/runs/9001',
  });
});

test('GITHUB_RUN_ATTEMPT: a re-run counts from 2; missing or garbled, the first attempt', () => {
  assert.equal(readGitHubContext({ ...run, GITHUB_RUN_ATTEMPT: '3' }, event({})).runAttempt, 3);
  for (const value of [undefined, '', '0', 'two', '1.5']) assert.equal(readGitHubContext({ ...run, GITHUB_RUN_ATTEMPT: value }, event({})).runAttempt, 1, String(value));
});

test('a branch push has no tag; GitHub Enterprise URLs are taken as given, without a trailing slash', () => {
  const context = readGitHubContext(
    { ...run, GITHUB_REF: 'refs/heads/main', GITHUB_API_URL: 'https://ghe.corp/api/v3/', GITHUB_SERVER_URL: 'https://ghe.corp/' },
    event({}),
  );
  assert.equal(context.tag, undefined);
  assert.equal(context.apiUrl, 'https://ghe.corp/api/v3');
  assert.equal(context.runUrl, 'https://ghe.corp/octo/hello/actions/runs/9001');
});

test("a release event: the release's tag", () => {
  const context = readGitHubContext({ ...run, GITHUB_EVENT_NAME: 'release', GITHUB_REF: 'refs/heads/main' }, event({ release: { tag_name: 'v2.0.0' } }));
  assert.equal(context.tag, 'v2.0.0');
});

test('pull requests: from a branch of the repository, or from a fork (also a deleted one)', () => {
  const env = { ...run, GITHUB_EVENT_NAME: 'pull_request', GITHUB_REF: 'refs/pull/42/merge' };
  assert.deepEqual(readGitHubContext(env, event(pullRequest('octo/hello'))).pullRequest, { number: 42, isFork: false });
  assert.deepEqual(readGitHubContext(env, event(pullRequest('mallory/hello'))).pullRequest, { number: 42, isFork: true });
  assert.deepEqual(readGitHubContext(env, event(pullRequest(null))).pullRequest, { number: 42, isFork: true });
  assert.equal(readGitHubContext(env, event(pullRequest('octo/hello'))).tag, undefined);
});

test('no event file named: no payload is read', () => {
  const { GITHUB_EVENT_PATH: _, ...env } = run;
  const context = readGitHubContext(env, () => assert.fail('no event file to read'));
  assert.equal(context.pullRequest, undefined);
});

test('outside a GitHub Actions run: an error naming what is missing', () => {
  assert.throws(() => readGitHubContext({ GITHUB_EVENT_NAME: 'push' }, event({})), (error: unknown) => {
    assert.ok(error instanceof PybinError);
    assert.match(error.message, /GITHUB_REPOSITORY, GITHUB_RUN_ID not set/);
    return true;
  });
  assert.throws(() => readGitHubContext({ ...run, GITHUB_REPOSITORY: 'hello' }, event({})), /owner\/name, got "hello"/);
});

test('a read-only token is a 403 that is not a rate limit', () => {
  assert.equal(isReadOnlyTokenError({ status: 403, message: 'Resource not accessible by integration' }), true);
  assert.equal(isReadOnlyTokenError({ status: 403, message: 'You have exceeded a secondary rate limit' }), false);
  assert.equal(isReadOnlyTokenError({ status: 404, message: 'Not Found' }), false);
  assert.equal(isReadOnlyTokenError(new Error('network down')), false);
});
