import type { getOctokit } from '@actions/github';
import { PybinError } from '../plumbing/errors.js';

/** The client getOctokit makes: REST methods and paginate. */
export type Octokit = ReturnType<typeof getOctokit>;

export interface Repository {
  owner: string;
  repo: string;
}

export interface PullRequest {
  number: number;
  /** The head branch lives in another repository: on `pull_request` events the token is then read-only. */
  isFork: boolean;
}

/** What the Action needs to know of the workflow run it is in. */
export interface GitHubContext {
  /** REST API root, no trailing slash: https://api.github.com, or a GHES host's /api/v3. */
  apiUrl: string;
  /** Web root, no trailing slash: https://github.com, or the GHES host. */
  serverUrl: string;
  repository: Repository;
  eventName: string;
  /** refs/heads/…, refs/tags/… or refs/pull/…/merge; unset for events without one. */
  ref?: string;
  /** The commit the run builds. */
  sha?: string;
  /** The tag of a tag push or a release event. */
  tag?: string;
  pullRequest?: PullRequest;
  runId: string;
  /** GITHUB_RUN_ATTEMPT: 1, then 2 and on for re-runs, which keep the run's id and its artifacts. */
  runAttempt: number;
  runUrl: string;
}

/** The subset of an event payload we read; every field may be missing. */
interface EventPayload {
  release?: { tag_name?: unknown };
  pull_request?: {
    number?: unknown;
    head?: { repo?: { full_name?: unknown } | null };
    base?: { repo?: { full_name?: unknown } | null };
  };
}

/**
 * The run's context from the runner's environment and its event payload.
 * `readEvent` reads the JSON file GITHUB_EVENT_PATH names (kept out so this stays pure).
 */
export function readGitHubContext(env: NodeJS.ProcessEnv, readEvent: (path: string) => unknown): GitHubContext {
  const missing = ['GITHUB_REPOSITORY', 'GITHUB_EVENT_NAME', 'GITHUB_RUN_ID'].filter((name) => !env[name]);
  if (missing.length) {
    throw new PybinError(`${missing.join(', ')} not set: publishing needs the environment of a GitHub Actions run`);
  }
  const [owner = '', repo = ''] = env.GITHUB_REPOSITORY!.split('/');
  if (!owner || !repo) throw new PybinError(`GITHUB_REPOSITORY must look like owner/name, got "${env.GITHUB_REPOSITORY}"`);

  const serverUrl = withoutTrailingSlash(env.GITHUB_SERVER_URL || 'https://github.com');
  const runId = env.GITHUB_RUN_ID!;
  const event = (env.GITHUB_EVENT_PATH ? readEvent(env.GITHUB_EVENT_PATH) : {}) as EventPayload | null;
  return {
    apiUrl: withoutTrailingSlash(env.GITHUB_API_URL || 'https://api.github.com'),
    serverUrl,
    repository: { owner, repo },
    eventName: env.GITHUB_EVENT_NAME!,
    ref: env.GITHUB_REF || undefined,
    sha: env.GITHUB_SHA || undefined,
    tag: tagOf(env.GITHUB_REF, event),
    pullRequest: pullRequestOf(event),
    runId,
    runAttempt: runAttemptOf(env.GITHUB_RUN_ATTEMPT),
    runUrl: `${serverUrl}/${owner}/${repo}/actions/runs/${runId}`,
  };
}

function runAttemptOf(value: string | undefined): number {
  const attempt = Number(value);
  return Number.isInteger(attempt) && attempt >= 1 ? attempt : 1;
}

function tagOf(ref: string | undefined, event: EventPayload | null): string | undefined {
  const releaseTag = event?.release?.tag_name;
  if (typeof releaseTag === 'string' && releaseTag) return releaseTag;
  return ref?.startsWith('refs/tags/') ? ref.slice('refs/tags/'.length) : undefined;
}

function pullRequestOf(event: EventPayload | null): PullRequest | undefined {
  const pr = event?.pull_request;
  if (typeof pr?.number !== 'number') return undefined;
  const head = pr.head?.repo?.full_name;
  const base = pr.base?.repo?.full_name;
  // A deleted fork leaves head.repo null. `head.repo.fork` would be wrong here: it is
  // also true for a branch-to-branch PR inside a repository that is itself a fork.
  return { number: pr.number, isFork: typeof head !== 'string' || head !== base };
}

function withoutTrailingSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

/**
 * Whether a GitHub API error means the token may not write here: the read-only
 * token of a pull request from a fork, or a workflow without `contents: write`
 * / `pull-requests: write`. Rate limits also answer 403, but are not this.
 */
export function isReadOnlyTokenError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { status, message } = error as { status?: unknown; message?: unknown };
  return status === 403 && !/rate limit/i.test(String(message));
}
