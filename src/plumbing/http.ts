import { Readable, Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { errorMessage } from './errors.js';
import { formatSeconds } from './format.js';
import type { Progress } from './progress.js';

/**
 * Waits between attempts (attempts = delays + 1), and how long a transfer may
 * go without a byte before it counts as failed.
 */
export interface RetryPolicy {
  delaysMs: readonly number[];
  stallTimeoutMs: number;
}

/**
 * Our own fetch loop rather than tool-cache's downloadTool: that one sleeps
 * 10–20 s between its attempts and gives up on a stalled transfer only after
 * minutes, while a prebuilt toolchain is only worth it if it is quick to get
 * (the fallback is building one). Tests pass a policy with millisecond delays.
 */
export const DEFAULT_RETRY: RetryPolicy = { delaysMs: [1_000, 3_000, 9_000], stallTimeoutMs: 60_000 };

/** A failed GET; `transient` ones (5xx, 408, 429, connection trouble, stalls) are worth another attempt. */
class FetchFailure extends Error {
  constructor(
    message: string,
    readonly transient: boolean,
  ) {
    super(message);
  }
}

/** Redirects one GET follows, as fetch's own limit. */
const MAX_REDIRECTS = 20;

/**
 * One GET of `url` into a fresh `sink()`, aborted when no byte arrives for
 * `stallMs`, or when more than `maxBytes` arrive. Redirects are followed by
 * hand so that none leaves https (see isSecureUrl).
 */
export async function get(url: string, stallMs: number, sink: () => Writable, maxBytes = Infinity): Promise<void> {
  const controller = new AbortController();
  const stalled = setTimeout(() => controller.abort(), stallMs);
  try {
    let response: Response;
    let at = url;
    for (let hops = 0; ; hops++) {
      response = await fetch(at, { redirect: 'manual', signal: controller.signal });
      const location = response.headers.get('location');
      if (response.status < 300 || response.status > 399 || !location) break;
      await response.body?.cancel();
      const next = new URL(location, at).href;
      if (!isSecureUrl(next)) throw new FetchFailure(`${at} redirects to ${next}, which is not https: refused`, false);
      if (hops === MAX_REDIRECTS) throw new FetchFailure(`more than ${MAX_REDIRECTS} redirects`, false);
      at = next;
    }
    if (!response.ok || !response.body) {
      await response.body?.cancel();
      const status = response.status;
      throw new FetchFailure(`HTTP ${status}${response.statusText ? ` ${response.statusText}` : ''}`, status >= 500 || status === 408 || status === 429);
    }
    let received = 0;
    const watchdog = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        stalled.refresh();
        received += chunk.length;
        if (received > maxBytes) return done(new FetchFailure(`more than the ${maxBytes} bytes expected: stopped`, false));
        done(null, chunk);
      },
    });
    await pipeline(Readable.fromWeb(response.body as never), watchdog, sink());
  } catch (error) {
    if (error instanceof FetchFailure) throw error;
    if (controller.signal.aborted) throw new FetchFailure(`no data for ${formatSeconds(stallMs)}`, true);
    throw new FetchFailure(describe(error), true);
  } finally {
    clearTimeout(stalled);
  }
}

export async function withRetries(label: string, retry: RetryPolicy, progress: Progress, attempt: () => Promise<void>): Promise<void> {
  const attempts = retry.delaysMs.length + 1;
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      const delay = retry.delaysMs[n - 1];
      if (!(error instanceof FetchFailure) || !error.transient) throw error;
      if (delay === undefined) throw new FetchFailure(`${error.message}; gave up after ${attempts} attempts`, true);
      progress.warn(`${label}: ${error.message}; retrying in ${formatSeconds(delay)} (attempt ${n + 1} of ${attempts})`);
      await sleep(delay);
    }
  }
}

/** An error's message with its cause: fetch's own message is only "fetch failed". */
export function describe(error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined;
  const detail = cause instanceof Error ? cause.message || (cause as NodeJS.ErrnoException).code : undefined;
  return detail ? `${errorMessage(error)} (${detail})` : errorMessage(error);
}

export function isHttpUrl(url: string): boolean {
  return /^https?:\/\//i.test(url);
}

/**
 * https, or plain http to this machine (a loopback server is not on the
 * network): what pybin downloads from, and what a redirect may lead to.
 */
export function isSecureUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol === 'https:') return true;
  return parsed.protocol === 'http:' && /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i.test(parsed.hostname);
}
