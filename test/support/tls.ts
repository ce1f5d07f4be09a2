import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { createServer, type Server } from 'node:tls';

/** A throw-away CA and a `localhost` certificate it signed, made with the openssl CLI. */
export function makeTestCa(): { dir: string; caFile: string; key: Buffer; cert: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), 'pybin-ca-'));
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=pybin test CA',
    '-keyout', 'ca.key', '-out', 'ca.pem', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign');
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-keyout', 'server.key', '-out', 'server.csr');
  writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2',
    '-extfile', 'ext.cnf', '-out', 'server.pem');
  return {
    dir,
    caFile: join(dir, 'ca.pem'),
    key: readFileSync(join(dir, 'server.key')),
    cert: readFileSync(join(dir, 'server.pem')),
  };
}

/** A loopback TLS server that answers "ping" with "pong". */
export async function startPongServer(key: Buffer, cert: Buffer): Promise<{ port: number; server: Server }> {
  const server = createServer({ key, cert }, (socket) => {
    socket.on('data', (data) => {
      if (data.toString() === 'ping') socket.end('pong');
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, server };
}

/**
 * A test CA and a pong server with its certificate, for the tests of the
 * calling file: started before them, closed after. Read `ca` and `port`
 * inside tests.
 */
export function pongServerForTests(): { ca: ReturnType<typeof makeTestCa>; port: number } {
  const state = {} as { ca: ReturnType<typeof makeTestCa>; port: number; server: Server };
  before(async () => {
    state.ca = makeTestCa();
    Object.assign(state, await startPongServer(state.ca.key, state.ca.cert));
  });
  after(() => state.server.close());
  return state;
}
