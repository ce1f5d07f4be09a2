import type { TestContext } from 'node:test';
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Bottleneck from 'bottleneck';
import type { GitHubClientOptions } from '../../src/publish/octokit.js';

export interface FakeAsset {
  id: number;
  name: string;
  contentType: string;
  content: Buffer;
}

export interface FakeRelease {
  id: number;
  tag: string;
  draft: boolean;
  prerelease: boolean;
  targetCommitish: string;
  assets: FakeAsset[];
}

export interface FakeComment {
  id: number;
  issue: number;
  body: string;
  /** Who wrote it; default: the Actions token's bot, as the comments pybin writes. */
  author?: string;
}

export interface LoggedRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
  /** The status answered; 0 when the connection was dropped. */
  status: number;
  /** The injected fault this request met, if any. */
  fault?: Fault['kind'];
}

/** What goes wrong with a request, the ways GitHub's front ends fail. */
export type Fault =
  /** Answer this status (a gateway's HTML page) without doing the request. */
  | { kind: 'status'; status: number }
  /** Close the connection without an answer and without doing the request: the client sees a reset. */
  | { kind: 'drop' }
  /** GitHub's secondary rate limit: a 403 with retry-after (seconds), without doing the request. */
  | { kind: 'secondary-rate-limit'; retryAfter: number }
  /** Do the request, then answer this status instead: the client cannot tell that it landed. */
  | { kind: 'land-then-status'; status: number };

export interface GitHubServer {
  /** The API root to pass as baseUrl: http://127.0.0.1:<port>, no trailing slash. */
  base: string;
  releases: FakeRelease[];
  comments: FakeComment[];
  requests: LoggedRequest[];
  /** Answer every write as GitHub does for the read-only token of a fork's pull request. */
  readOnly: boolean;
  /** GET /user's login: a personal token's user; none (the default) answers 403 as for the Actions token. */
  tokenUser?: string;
  /** Assets carry their `digest` (sha256:…), as github.com's do; GHES and older assets have none. */
  assetDigests: boolean;
  /** The next `times` requests of `method` whose path and query match `path` meet `fault`. */
  inject(method: string, path: RegExp, fault: Fault, times?: number): void;
  /** Before handling the next request of `method` matching `path`, run `act`: a sibling job acting at that very moment. */
  when(method: string, path: RegExp, act: () => void): void;
  /** Injected faults not met yet, as `METHOD pattern kind` (a test whose fault never fired proves nothing). */
  pendingFaults(): string[];
  addRelease(fields: { tag: string; draft?: boolean; prerelease?: boolean }): FakeRelease;
  addAsset(release: FakeRelease, name: string, content: string | Buffer): FakeAsset;
  close(): Promise<void>;
}

type Reply = { status: number; body?: unknown; headers?: Record<string, string> };
type Route = (match: string[], query: URLSearchParams, body: Buffer, req: IncomingMessage) => Reply;

const WEB = 'https://github.com';
const ACTIONS_BOT = 'github-actions[bot]';
const DOCS = 'https://docs.github.com/rest';
const error = (status: number, message: string, errors?: object[]): Reply => ({
  status,
  body: { message, ...(errors && { errors }), documentation_url: DOCS, status: String(status) },
});
const notFound = () => error(404, 'Not Found');
const SECONDARY_RATE_LIMIT =
  'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. ' +
  'If you reach out to GitHub Support for help, please include the request ID 0000:0000:0000000:0000000:00000000.';

/**
 * A loopback server for the part of GitHub's REST API that releases and PR
 * comments use, with in-memory state. Uploads go to the release's upload_url,
 * under /uploads, so a client that ignores upload_url misses them.
 */
export async function startGitHubServer(): Promise<GitHubServer> {
  let nextId = 1000;
  const releases: FakeRelease[] = [];
  const comments: FakeComment[] = [];
  const requests: LoggedRequest[] = [];
  const faults: { method: string; path: RegExp; fault: Fault; left: number }[] = [];
  const triggers: { method: string; path: RegExp; act: () => void }[] = [];
  let base = '';

  const repoPath = (o: string, r: string) => `/repos/${o}/${r}`;
  const webTag = (rel: FakeRelease) => (rel.draft ? `untagged-${rel.id.toString(16)}` : rel.tag);
  const assetJson = (o: string, r: string, rel: FakeRelease, a: FakeAsset) => ({
    id: a.id, name: a.name, label: null, state: 'uploaded', content_type: a.contentType, size: a.content.length,
    digest: server.assetDigests ? `sha256:${createHash('sha256').update(a.content).digest('hex')}` : null,
    url: `${base}${repoPath(o, r)}/releases/assets/${a.id}`,
    browser_download_url: `${WEB}/${o}/${r}/releases/download/${webTag(rel)}/${encodeURIComponent(a.name)}`,
  });
  const releaseJson = (o: string, r: string, rel: FakeRelease) => ({
    id: rel.id, tag_name: rel.tag, name: rel.tag, draft: rel.draft, prerelease: rel.prerelease,
    target_commitish: rel.targetCommitish,
    url: `${base}${repoPath(o, r)}/releases/${rel.id}`,
    html_url: `${WEB}/${o}/${r}/releases/tag/${webTag(rel)}`,
    assets_url: `${base}${repoPath(o, r)}/releases/${rel.id}/assets`,
    upload_url: `${base}/uploads${repoPath(o, r)}/releases/${rel.id}/assets{?name,label}`,
    assets: rel.assets.map((a) => assetJson(o, r, rel, a)),
  });
  const commentJson = (o: string, r: string, c: FakeComment) => ({
    id: c.id, body: c.body, user: { login: c.author ?? ACTIONS_BOT, type: (c.author ?? ACTIONS_BOT).endsWith('[bot]') ? 'Bot' : 'User' },
    html_url: `${WEB}/${o}/${r}/pull/${c.issue}#issuecomment-${c.id}`,
  });
  /** One page of `items`, with the Link header Octokit's paginate follows. */
  const page = (items: unknown[], query: URLSearchParams, path: string): Reply => {
    const perPage = Math.min(Number(query.get('per_page') ?? 30), 100);
    const number = Number(query.get('page') ?? 1);
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const link = (n: number) => `<${base}${path}?per_page=${perPage}&page=${n}>`;
    const headers: Record<string, string> = number < last ? { link: `${link(number + 1)}; rel="next", ${link(last)}; rel="last"` } : {};
    return { status: 200, body: items.slice((number - 1) * perPage, number * perPage), headers };
  };
  const findRelease = (id: string) => releases.find((rel) => rel.id === Number(id));
  const findAsset = (id: string) => releases.flatMap((rel) => rel.assets.map((a) => ({ rel, a }))).find(({ a }) => a.id === Number(id));
  const json = (body: Buffer) => (body.length ? JSON.parse(body.toString()) : {}) as Record<string, unknown>;

  const routes: Record<string, [RegExp, Route][]> = {
    GET: [
      // An installation token (the Actions token) may not read /user.
      [/^\/user$/, () => (server.tokenUser ? { status: 200, body: { login: server.tokenUser, type: 'User' } } : error(403, 'Resource not accessible by integration'))],
      [/^\/repos\/([^/]+)\/([^/]+)\/releases$/, ([, o, r], q) =>
        page([...releases].reverse().map((rel) => releaseJson(o!, r!, rel)), q, `${repoPath(o!, r!)}/releases`)],
      [/^\/repos\/([^/]+)\/([^/]+)\/releases\/(\d+)$/, ([, o, r, id]) => {
        const rel = findRelease(id!);
        return rel ? { status: 200, body: releaseJson(o!, r!, rel) } : notFound();
      }],
      // Drafts have no tag yet, so GitHub does not find them by tag.
      [/^\/repos\/([^/]+)\/([^/]+)\/releases\/tags\/(.+)$/, ([, o, r, tag]) => {
        const rel = releases.find((x) => !x.draft && x.tag === decodeURIComponent(tag!));
        return rel ? { status: 200, body: releaseJson(o!, r!, rel) } : notFound();
      }],
      [/^\/repos\/([^/]+)\/([^/]+)\/releases\/(\d+)\/assets$/, ([, o, r, id], q) => {
        const rel = findRelease(id!);
        return rel ? page(rel.assets.map((a) => assetJson(o!, r!, rel, a)), q, `${repoPath(o!, r!)}/releases/${id}/assets`) : notFound();
      }],
      // As on GitHub, asking for the bytes redirects to storage elsewhere.
      [/^\/repos\/([^/]+)\/([^/]+)\/releases\/assets\/(\d+)$/, ([, o, r, id], _q, _b, req) => {
        const found = findAsset(id!);
        if (!found) return notFound();
        if (req.headers.accept === 'application/octet-stream') return { status: 302, headers: { location: `${base}/storage/${id}` } };
        return { status: 200, body: assetJson(o!, r!, found.rel, found.a) };
      }],
      [/^\/storage\/(\d+)$/, ([, id]) => {
        const found = findAsset(id!);
        return found ? { status: 200, body: found.a.content, headers: { 'content-type': 'application/octet-stream' } } : notFound();
      }],
      [/^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/, ([, o, r, n], q) =>
        page(comments.filter((c) => c.issue === Number(n)).map((c) => commentJson(o!, r!, c)), q, `${repoPath(o!, r!)}/issues/${n}/comments`)],
    ],
    POST: [
      [/^\/repos\/([^/]+)\/([^/]+)\/releases$/, ([, o, r], _q, body) => {
        const fields = json(body);
        // GitHub keeps one published release per tag, but happily makes several drafts for one.
        if (releases.some((x) => !x.draft && x.tag === fields.tag_name)) {
          return error(422, 'Validation Failed', [{ resource: 'Release', code: 'already_exists', field: 'tag_name' }]);
        }
        const rel = server.addRelease({ tag: String(fields.tag_name), draft: fields.draft === true, prerelease: fields.prerelease === true });
        rel.targetCommitish = typeof fields.target_commitish === 'string' ? fields.target_commitish : 'main';
        return { status: 201, body: releaseJson(o!, r!, rel) };
      }],
      [/^\/uploads\/repos\/([^/]+)\/([^/]+)\/releases\/(\d+)\/assets$/, ([, o, r, id], q, body, req) => {
        const rel = findRelease(id!);
        const name = q.get('name');
        if (!rel) return notFound();
        if (!name) return error(422, 'Bad Content-Length or name');
        if (rel.assets.some((a) => a.name === name)) {
          return error(422, 'Validation Failed', [{ resource: 'ReleaseAsset', code: 'already_exists', field: 'name' }]);
        }
        const asset = server.addAsset(rel, name, body);
        asset.contentType = req.headers['content-type'] ?? '';
        return { status: 201, body: assetJson(o!, r!, rel, asset) };
      }],
      [/^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/, ([, o, r, n], _q, body) => {
        const comment = { id: nextId++, issue: Number(n), body: String(json(body).body), ...(server.tokenUser ? { author: server.tokenUser } : {}) };
        comments.push(comment);
        return { status: 201, body: commentJson(o!, r!, comment) };
      }],
    ],
    PATCH: [
      [/^\/repos\/([^/]+)\/([^/]+)\/releases\/(\d+)$/, ([, o, r, id], _q, body) => {
        const rel = findRelease(id!);
        if (!rel) return notFound();
        const fields = json(body);
        if (fields.draft === false && releases.some((x) => x !== rel && !x.draft && x.tag === rel.tag)) {
          return error(422, 'Validation Failed', [{ resource: 'Release', code: 'already_exists', field: 'tag_name' }]);
        }
        if (typeof fields.draft === 'boolean') rel.draft = fields.draft;
        if (typeof fields.prerelease === 'boolean') rel.prerelease = fields.prerelease;
        return { status: 200, body: releaseJson(o!, r!, rel) };
      }],
      [/^\/repos\/([^/]+)\/([^/]+)\/issues\/comments\/(\d+)$/, ([, o, r, id], _q, body) => {
        const comment = comments.find((c) => c.id === Number(id));
        if (!comment) return notFound();
        comment.body = String(json(body).body);
        return { status: 200, body: commentJson(o!, r!, comment) };
      }],
    ],
    DELETE: [
      [/^\/repos\/[^/]+\/[^/]+\/releases\/(\d+)$/, ([, id]) => {
        const rel = findRelease(id!);
        if (!rel) return notFound();
        releases.splice(releases.indexOf(rel), 1);
        return { status: 204 };
      }],
      [/^\/repos\/[^/]+\/[^/]+\/releases\/assets\/(\d+)$/, ([, id]) => {
        const found = findAsset(id!);
        if (!found) return notFound();
        found.rel.assets.splice(found.rel.assets.indexOf(found.a), 1);
        return { status: 204 };
      }],
    ],
  };

  const handle = (req: IncomingMessage, body: Buffer): Reply => {
    const url = new URL(req.url ?? '/', 'http://x');
    const method = req.method ?? 'GET';
    if (server.readOnly && method !== 'GET') return error(403, 'Resource not accessible by integration');
    for (const [pattern, route] of routes[method] ?? []) {
      const match = pattern.exec(url.pathname);
      if (match) return route([...match], url.searchParams, body, req);
    }
    return notFound();
  };

  const takeFault = (method: string, url: string): Fault | undefined => {
    const found = faults.find((f) => f.left > 0 && f.method === method && f.path.test(url));
    if (found) found.left--;
    return found?.fault;
  };

  const takeTrigger = (method: string, url: string): (() => void) | undefined => {
    const index = triggers.findIndex((t) => t.method === method && t.path.test(url));
    return index === -1 ? undefined : triggers.splice(index, 1)[0]!.act;
  };

  const http = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      takeTrigger(req.method ?? '', req.url ?? '')?.();
      const fault = takeFault(req.method ?? '', req.url ?? '');
      const log = (status: number) => requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, status, ...(fault && { fault: fault.kind }) });
      if (fault?.kind === 'drop') {
        log(0);
        return void req.socket.destroy();
      }
      if (fault?.kind === 'land-then-status') handle(req, body);
      const reply = fault ? faultReply(fault) : handle(req, body);
      log(reply.status);
      const raw = Buffer.isBuffer(reply.body) ? reply.body : reply.body === undefined ? undefined : Buffer.from(JSON.stringify(reply.body));
      const type = Buffer.isBuffer(reply.body) ? {} : raw ? { 'content-type': 'application/json; charset=utf-8' } : {};
      res.writeHead(reply.status, { ...type, ...reply.headers, ...(raw && { 'content-length': raw.length }) }).end(raw);
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;

  const server: GitHubServer = {
    base,
    releases,
    comments,
    requests,
    readOnly: false,
    assetDigests: true,
    inject(method, path, fault, times = 1) {
      faults.push({ method, path, fault, left: times });
    },
    when(method, path, act) {
      triggers.push({ method, path, act });
    },
    pendingFaults() {
      return [...faults.filter((f) => f.left > 0).map((f) => `${f.method} ${f.path} ${f.fault.kind}`), ...triggers.map((t) => `${t.method} ${t.path} trigger`)];
    },
    addRelease({ tag, draft = false, prerelease = false }) {
      const rel = { id: nextId++, tag, draft, prerelease, targetCommitish: 'main', assets: [] };
      releases.push(rel);
      return rel;
    },
    addAsset(release, name, content) {
      const asset = { id: nextId++, name, contentType: 'application/octet-stream', content: Buffer.from(content) };
      release.assets.push(asset);
      return asset;
    },
    close() {
      http.closeAllConnections();
      return new Promise((resolve, reject) => http.close((e) => (e ? reject(e) : resolve())));
    },
  };
  return server;
}

/** The answer of a fault that answers (drop does not). */
function faultReply(fault: Exclude<Fault, { kind: 'drop' }>): Reply {
  if (fault.kind === 'secondary-rate-limit') {
    const limited = error(403, SECONDARY_RATE_LIMIT);
    return { ...limited, body: { ...(limited.body as object), documentation_url: `${DOCS}/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits` }, headers: { 'retry-after': String(fault.retryAfter) } };
  }
  // GitHub's front ends answer gateway errors with an HTML page, not the API's JSON.
  return { status: fault.status, body: Buffer.from(`<html><body><h1>${fault.status} Bad Gateway</h1></body></html>\n`), headers: { 'content-type': 'text/html' } };
}

/**
 * Client settings for tests: a one-second wait lasts 1 ms, and writes are not
 * spaced (the throttling plugin's shared limiters keep 1 s between writes and
 * 3 s between release creations, in one queue for every client of the process).
 */
export function fastClientSettings(): Pick<GitHubClientOptions, 'retryDelayMs' | 'writeLimiters'> {
  return { retryDelayMs: 1, writeLimiters: { write: new Bottleneck.Group(), notifications: new Bottleneck.Group() } };
}

/** A loopback GitHub server that closes when the test ends. */
export async function startGitHubServerFor(t: TestContext): Promise<GitHubServer> {
  const github = await startGitHubServer();
  t.after(() => github.close());
  return github;
}
