import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One artifact as the service holds it. */
export interface StoredArtifact {
  id: number;
  name: string;
  /** The job (its backend id) that created it: a re-run's job is another one. */
  jobId: string;
  /** CreateArtifact's fields, as sent. */
  expiresAt?: string;
  mimeType?: string;
  version: number;
  /** Whole days from CreateArtifact to expires_at, as the client computes it from retentionDays. */
  retentionDays?: number;
  /** Staged, by block id. */
  blocks: Map<string, Buffer>;
  /** The blob: empty until its block list is committed. */
  content: Buffer;
  /** FinalizeArtifact's fields, as sent: size is an int64, so a string. */
  finalized?: { size: string; hash?: string };
}

export interface ArtifactServer {
  /** http://127.0.0.1:<port> */
  url: string;
  /** What @actions/artifact reads to reach this server as the run's results service, as the run's first job. */
  env: RuntimeEnv;
  /** The same for another job of the run: a matrix sibling, or a re-run's attempt at a job. */
  newJob(): RuntimeEnv;
  /** By name: names are unique per workflow run, and a server is one run. */
  artifacts: Map<string, StoredArtifact>;
  /** Removed by DeleteArtifact, in order. */
  deleted: StoredArtifact[];
  /** Every request received, in order: a Twirp call by its method (`CreateArtifact`), a blob upload as `PUT <comp>`. */
  requests: string[];
  close(): Promise<void>;
}

export interface RuntimeEnv {
  ACTIONS_RUNTIME_TOKEN: string;
  ACTIONS_RESULTS_URL: string;
}

const SERVICE = '/twirp/github.actions.results.api.v1.ArtifactService/';
const RUN_ID = 'a2e0c6d8-7b1f-4c52-9e0d-3f6a1b2c4d5e';
const FIRST_JOB_ID = 'f1d2c3b4-a596-4788-99aa-bbccddeeff00';
const DAY = 24 * 60 * 60 * 1000;

const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
// The client decodes the token without checking its signature; it reads the run and job from `scp`.
const tokenFor = (jobId: string) => `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ scp: `Actions.GenericRead Actions.Results:${RUN_ID}:${jobId}` })}.unsigned`;

/**
 * The results service's artifact API as @actions/artifact speaks it: Twirp
 * JSON calls (CreateArtifact, FinalizeArtifact, ListArtifacts, DeleteArtifact)
 * and an Azure block-blob upload URL (Put Block, then Put Block List). One
 * server is one workflow run; each job has its own token, which names the
 * run and the job. A job creates and finalizes only its own artifacts, but
 * lists the whole run's, and may delete any of the run's by the run, job
 * and name the listing gives (as upload-artifact's overwrite does).
 */
export async function startArtifactServer(): Promise<ArtifactServer> {
  const artifacts = new Map<string, StoredArtifact>();
  const deleted: StoredArtifact[] = [];
  const requests: string[] = [];
  /** Token -> job id. */
  const jobs = new Map([[tokenFor(FIRST_JOB_ID), FIRST_JOB_ID]]);
  let nextId = 7001;
  let nextJob = 1;
  let url = '';

  // Every Twirp answer carries a JSON body: the client retries anything it cannot parse.
  const json = (res: ServerResponse, status: number, body: object) =>
    void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  const twirpError = (res: ServerResponse, status: number, code: string, msg: string) => json(res, status, { code, msg });
  const blobError = (res: ServerResponse, status: number, code: string) =>
    void res.writeHead(status, { 'content-type': 'application/xml', 'x-ms-error-code': code }).end(`<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code></Error>`);

  const twirp: Record<string, (body: Record<string, any>, res: ServerResponse, jobId: string) => void> = {
    CreateArtifact(body, res, jobId) {
      if (artifacts.has(body.name)) return twirpError(res, 409, 'already_exists', 'an artifact with this name already exists on the workflow run');
      const artifact: StoredArtifact = {
        id: nextId++,
        name: body.name,
        jobId,
        expiresAt: body.expires_at,
        mimeType: body.mime_type,
        version: body.version,
        retentionDays: body.expires_at === undefined ? undefined : Math.round((Date.parse(body.expires_at) - Date.now()) / DAY),
        blocks: new Map(),
        content: Buffer.alloc(0),
      };
      artifacts.set(artifact.name, artifact);
      json(res, 200, { ok: true, signed_upload_url: `${url}/results/artifacts/${artifact.id}?sv=2023-11-03&sig=loopback` });
    },
    FinalizeArtifact(body, res, jobId) {
      const artifact = artifacts.get(body.name);
      if (!artifact || artifact.jobId !== jobId) return twirpError(res, 404, 'not_found', `no artifact named ${body.name} in this run`);
      artifact.finalized = { size: body.size, hash: body.hash };
      json(res, 200, { ok: true, artifact_id: String(artifact.id) });
    },
    ListArtifacts(body, res) {
      const listed = [...artifacts.values()].filter(
        (a) => a.finalized && (body.name_filter === undefined || a.name === body.name_filter) && (body.id_filter === undefined || String(a.id) === body.id_filter),
      );
      json(res, 200, {
        artifacts: listed.map((a) => ({ workflow_run_backend_id: RUN_ID, workflow_job_run_backend_id: a.jobId, database_id: String(a.id), name: a.name, size: a.finalized!.size })),
      });
    },
    DeleteArtifact(body, res) {
      const artifact = artifacts.get(body.name);
      if (!artifact || artifact.jobId !== body.workflow_job_run_backend_id) return twirpError(res, 404, 'not_found', `no artifact named ${body.name} in this run`);
      artifacts.delete(artifact.name);
      deleted.push(artifact);
      json(res, 200, { ok: true, artifact_id: String(artifact.id) });
    },
  };
  /** Calls that name another job of the run: the rest must name the caller's own. */
  const ANY_JOB_OF_THE_RUN = new Set(['DeleteArtifact']);

  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const { pathname, searchParams } = new URL(req.url ?? '/', url);
    requests.push(pathname.startsWith(SERVICE) ? pathname.slice(SERVICE.length) : `${req.method} ${searchParams.get('comp') ?? pathname}`);

    if (req.method === 'POST' && pathname.startsWith(SERVICE)) {
      const jobId = jobs.get((req.headers.authorization ?? '').replace(/^Bearer /, ''));
      if (!jobId) return twirpError(res, 401, 'unauthenticated', 'invalid runtime token');
      const name = pathname.slice(SERVICE.length);
      const method = twirp[name];
      if (!method) return twirpError(res, 404, 'bad_route', `no handler for ${pathname}`);
      let request: Record<string, any>;
      try {
        request = JSON.parse(body.toString('utf8'));
      } catch {
        return twirpError(res, 400, 'malformed', 'the request body is not JSON');
      }
      const ownJob = ANY_JOB_OF_THE_RUN.has(name) || request.workflow_job_run_backend_id === jobId;
      if (request.workflow_run_backend_id !== RUN_ID || !ownJob) {
        return twirpError(res, 403, 'permission_denied', 'the run or job does not match the token');
      }
      return method(request, res, jobId);
    }

    const artifact = [...artifacts.values()].find((a) => pathname === `/results/artifacts/${a.id}`);
    if (req.method !== 'PUT' || !artifact || searchParams.get('sig') !== 'loopback') return blobError(res, 403, 'AuthenticationFailed');
    if (searchParams.get('comp') === 'block') {
      artifact.blocks.set(searchParams.get('blockid') ?? '', body);
      return void res.writeHead(201).end();
    }
    if (searchParams.get('comp') === 'blocklist') {
      const ids = [...body.toString('utf8').matchAll(/<(?:Latest|Uncommitted)>([^<]*)<\//g)].map((m) => m[1]!);
      if (ids.some((id) => !artifact.blocks.has(id))) return blobError(res, 400, 'InvalidBlockList');
      artifact.content = Buffer.concat(ids.map((id) => artifact.blocks.get(id)!));
      return void res.writeHead(201).end();
    }
    blobError(res, 400, 'InvalidQueryParameterValue');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const envOf = (token: string): RuntimeEnv => ({ ACTIONS_RUNTIME_TOKEN: token, ACTIONS_RESULTS_URL: `${url}/` });
  return {
    url,
    env: envOf(tokenFor(FIRST_JOB_ID)),
    newJob() {
      const jobId = `${FIRST_JOB_ID.slice(0, -4)}${String(nextJob++).padStart(4, '0')}`;
      const token = tokenFor(jobId);
      jobs.set(token, jobId);
      return envOf(token);
    },
    artifacts,
    deleted,
    requests,
    close() {
      server.closeAllConnections();
      return new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
