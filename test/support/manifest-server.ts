import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** 'reset' drops the connection; 'stall' sends headers and a few bytes, then nothing. */
export type Misbehaviour = 'reset' | 'stall';

export interface LoggedRequest {
  path: string;
  /** The status sent, or the scripted misbehaviour. */
  outcome: number | Misbehaviour;
}

export interface ManifestServer {
  /** http://127.0.0.1:<port>, no trailing slash. */
  base: string;
  requests: LoggedRequest[];
  /** Serve `body` at `path` (a JSON value is sent as JSON). */
  serve(path: string, body: Buffer | string | object): void;
  /** Answer `path` with a 302 to `location`, as GitHub's release downloads do. */
  redirect(path: string, location: string): void;
  /** Answer the next `count` requests for `path` with an error status (default 500), or misbehave. */
  failNext(path: string, count: number, failure?: number | Misbehaviour): void;
  /** How many requests `path` has had. */
  hits(path: string): number;
  close(): Promise<void>;
}

/** A loopback HTTP server for manifests and toolchain archives, with scripted failures. */
export async function startManifestServer(): Promise<ManifestServer> {
  const files = new Map<string, Buffer>();
  const redirects = new Map<string, string>();
  const failures = new Map<string, { count: number; failure: number | Misbehaviour }[]>();
  const requests: LoggedRequest[] = [];

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const scripted = failures.get(path)?.find((f) => f.count > 0);
    if (scripted) {
      scripted.count--;
      requests.push({ path, outcome: scripted.failure });
      if (scripted.failure === 'reset') return void req.socket.destroy();
      if (scripted.failure === 'stall') return void res.writeHead(200, { 'content-length': 1000 }).write('partial');
      return void res.writeHead(scripted.failure).end(`scripted failure ${scripted.failure}`);
    }
    const location = redirects.get(path);
    if (location) {
      requests.push({ path, outcome: 302 });
      return void res.writeHead(302, { location }).end();
    }
    const body = files.get(path);
    requests.push({ path, outcome: body ? 200 : 404 });
    if (!body) return void res.writeHead(404).end('not found');
    res.writeHead(200, { 'content-length': body.length }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    serve(path, body) {
      files.set(path, Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)));
    },
    redirect(path, location) {
      redirects.set(path, location);
    },
    failNext(path, count, failure = 500) {
      failures.set(path, [...(failures.get(path) ?? []), { count, failure }]);
    },
    hits: (path) => requests.filter((r) => r.path === path).length,
    close() {
      server.closeAllConnections();
      return new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

/** A loopback URL nothing listens on: a port that was just free. */
export async function unreachableUrl(path = '/'): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}${path}`;
}
