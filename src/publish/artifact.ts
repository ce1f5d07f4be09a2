import { DefaultArtifactClient } from '@actions/artifact';
import { copyFile, link, mkdtemp, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { errorMessage, PybinError } from '../plumbing/errors.js';

export interface ArtifactUpload {
  /** The binary, or an archive of it (see archive.ts). */
  file: string;
  /** Already expanded: see expandArtifactName. */
  artifactName: string;
  retentionDays?: number;
}

export interface UploadedArtifact {
  id: number;
  url?: string;
  size: number;
}

// What @actions/artifact refuses in artifact names (NTFS limits), with how to say each.
const FORBIDDEN_CHARACTERS: [string, string][] = [
  ['"', 'a double quote (")'],
  [':', 'a colon (:)'],
  ['<', 'a less-than sign (<)'],
  ['>', 'a greater-than sign (>)'],
  ['|', 'a vertical bar (|)'],
  ['*', 'an asterisk (*)'],
  ['?', 'a question mark (?)'],
  ['\r', 'a carriage return'],
  ['\n', 'a line break'],
  ['\\', 'a backslash (\\)'],
  ['/', 'a slash (/)'],
];

const ARCHIVE_EXTENSIONS = ['.tar.gz', '.zip'];

export function validateArtifactName(name: string): void {
  if (!name.trim()) throw new PybinError('artifact-name must not be empty', 'artifact-name');
  const found = FORBIDDEN_CHARACTERS.find(([character]) => name.includes(character));
  if (found) {
    throw new PybinError(
      `artifact name ${JSON.stringify(name)} contains ${found[1]}; artifact names may not contain " : < > | * ? \\ / or line breaks`,
      'artifact-name',
    );
  }
}

/** `{name}-{os}-{arch}` and friends, filled in. */
export function expandArtifactName(template: string, values: { name: string; os: string; arch: string; python: string }): string {
  return template.replace(/\{(name|os|arch|python)\}/g, (_, key: keyof typeof values) => values[key]);
}

/** Where the run's page shows the artifact, when the runner's environment says which run this is. */
export function artifactUrl(id: number, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repository, GITHUB_RUN_ID: runId } = env;
  if (!server || !repository || !runId) return undefined;
  return `${server.replace(/\/+$/, '')}/${repository}/actions/runs/${runId}/artifacts/${id}`;
}

/**
 * Uploads `file` as the workflow artifact `artifactName`. The binary goes up
 * unzipped (skipArchive), so downloading the artifact gives the binary itself
 * rather than a zip to open first. An archive goes inside the client's zip:
 * the client names an unzipped artifact after its file, and a tarball under
 * the artifact's name, without .tar.gz, would hide what it is; in the zip,
 * the artifact keeps the name asked for, which download-artifact looks up.
 */
export async function uploadBinaryArtifact({ file, artifactName, retentionDays }: ArtifactUpload): Promise<UploadedArtifact> {
  validateArtifactName(artifactName);
  const client = new DefaultArtifactClient();
  const upload = ARCHIVE_EXTENSIONS.some((extension) => file.endsWith(extension))
    ? // Already compressed: zipping it again would only cost time.
      client.uploadArtifact(artifactName, [file], dirname(file), { retentionDays, compressionLevel: 0 })
    : withFileNamed(artifactName, file, (named) => client.uploadArtifact(artifactName, [named], dirname(named), { retentionDays, skipArchive: true }));
  const uploaded = await upload.catch((error: unknown) => {
    throw uploadError(artifactName, error);
  });
  if (uploaded.id === undefined) throw new PybinError(`uploading the artifact "${artifactName}" failed: the artifact service returned no artifact id`);
  return { id: uploaded.id, url: artifactUrl(uploaded.id), size: uploaded.size ?? (await stat(file)).size };
}

/** skipArchive names the artifact after its file: so `use` gets a link to `file` named `name`. */
async function withFileNamed<T>(name: string, file: string, use: (named: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(dirname(file), '.pybin-artifact-'));
  try {
    const named = join(dir, name);
    await link(file, named).catch(() => copyFile(file, named));
    return await use(named);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function uploadError(name: string, error: unknown): PybinError {
  const message = errorMessage(error);
  // The client keeps no status code: a 409 from CreateArtifact only shows in its message,
  // "Failed to CreateArtifact: Received non-retryable error: Failed request: (409) Conflict: ...".
  if (/Failed request: \(409\)/.test(message)) {
    return new PybinError(
      `an artifact named "${name}" already exists in this workflow run, and artifact names are unique per run. ` +
        'For matrix jobs, keep {os} and {arch} in artifact-name (the default is {name}-{os}-{arch}) or give each job its own name; ' +
        'when re-running a job, use a new artifact-name or delete the earlier artifact first',
      'artifact-name',
    );
  }
  return new PybinError(`uploading the artifact "${name}" failed: ${message}`);
}
