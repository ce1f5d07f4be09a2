import { getOctokit } from '@actions/github';
import { retry } from '@octokit/plugin-retry';
import { throttling, type ThrottlingOptions } from '@octokit/plugin-throttling';
import type { Octokit } from './github-context.js';

export interface GitHubClientOptions {
  /** The REST API root (GitHubContext.apiUrl). */
  baseUrl: string;
  /** Where rate-limit waits are said. */
  warn: (message: string) => void;
  /** How many ms one second of waiting lasts: 1000, except in tests, which pass 1. */
  retryDelayMs?: number;
  /**
   * Limiters pacing writes, in place of the throttling plugin's own (one
   * second between writes, three between release creations, shared by every
   * client of the process): tests pass unpaced ones.
   */
  writeLimiters?: Pick<ThrottlingOptions, 'write' | 'notifications'>;
}

/** Tries after the first, for a 5xx, a 429, a dropped connection or a rate limit. */
const GITHUB_RETRIES = 3;
/** A rate limit that resets later than this fails the job rather than keep it waiting (and billed). */
const LONGEST_RATE_LIMIT_WAIT_S = 5 * 60;

/**
 * An Octokit that retries what a busy GitHub answers: plugin-retry takes 5xx
 * and 429 answers, and dropped connections (Octokit turns fetch's 'fetch
 * failed' into a RequestError with status 500), waiting 1, 4, 9 seconds;
 * plugin-throttling waits out rate limits as long as their retry-after says.
 * Uploads go through the same hooks, on whatever host their URL names.
 */
export function createGitHubClient(token: string, options: GitHubClientOptions): Octokit {
  const second = options.retryDelayMs ?? 1000;
  return getOctokit(
    token,
    {
      baseUrl: options.baseUrl,
      retry: { retries: GITHUB_RETRIES, retryAfterBaseValue: second },
      throttle: {
        retryAfterBaseValue: second,
        onRateLimit: rateLimitHandler('rate limit', options.warn),
        onSecondaryRateLimit: rateLimitHandler('secondary rate limit', options.warn),
        ...options.writeLimiters,
      },
    },
    retry,
    throttling,
  );
}

type LimitHandler = NonNullable<ThrottlingOptions['onRateLimit']>;

/** Retries a bounded number of times, and only for a wait that ends soon; says so either way. */
function rateLimitHandler(limit: string, warn: (message: string) => void): LimitHandler {
  return (retryAfter, request, _octokit, retryCount) => {
    const where = `GitHub's ${limit} answered ${request.method} ${request.url}`;
    if (retryCount >= GITHUB_RETRIES || retryAfter > LONGEST_RATE_LIMIT_WAIT_S) {
      warn(`${where}, which is not tried again (it resets in ${retryAfter} s, tried ${retryCount + 1} times)`);
      return false;
    }
    warn(`${where}: trying again in ${retryAfter} s (retry ${retryCount + 1} of ${GITHUB_RETRIES})`);
    return true;
  };
}
