import { ArtifactNotFoundError, DefaultArtifactClient, type UploadArtifactResponse } from '@actions/artifact';
import { copyFile, link, mkdtemp, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { errorMessage, PybinError } from '../plumbing/errors.js';

export interface ArtifactUpload {
  /** The binary, an archive of it (see archive.ts), or a file beside it (its SBOM, its notices). */
  file: string;
  /** Already expanded: see expandArtifactName. */
  artifactName: string;
  retentionDays?: number;
  /**
   * GITHUB_RUN_ATTEMPT. A re-run keeps the run, and with it the artifacts of
   * earlier attempts, whose names are taken: from the second attempt on, an
   * artifact of the same name is replaced.
   */
  runAttempt?: number;
  /** Says when an earlier attempt's artifact is replaced. */
  info?: (message: string) => void;
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
export async function uploadBinaryArtifact(upload: ArtifactUpload): Promise<UploadedArtifact> {
  const { file, artifactName } = upload;
  validateArtifactName(artifactName);
  const client = new DefaultArtifactClient();
  const uploaded = await uploadOnce(client, upload).catch(async (error: unknown) => {
    if (!isNameTaken(error) || (upload.runAttempt ?? 1) < 2) throw uploadError(artifactName, error, 'first try');
    await deleteEarlierAttempt(client, upload);
    return await uploadOnce(client, upload).catch((again: unknown) => {
      throw uploadError(artifactName, again, 'after replacing');
    });
  });
  if (uploaded.id === undefined) throw new PybinError(`uploading the artifact "${artifactName}" failed: the artifact service returned no artifact id`);
  return { id: uploaded.id, url: artifactUrl(uploaded.id), size: uploaded.size ?? (await stat(file)).size };
}

function uploadOnce(client: DefaultArtifactClient, { file, artifactName, retentionDays }: ArtifactUpload): Promise<UploadArtifactResponse> {
  return ARCHIVE_EXTENSIONS.some((extension) => file.endsWith(extension))
    ? // Already compressed: zipping it again would only cost time.
      client.uploadArtifact(artifactName, [file], dirname(file), { retentionDays, compressionLevel: 0 })
    : withFileNamed(artifactName, file, (named) => client.uploadArtifact(artifactName, [named], dirname(named), { retentionDays, skipArchive: true }));
}

/**
 * On a second attempt the name is taken by the first attempt's artifact (or,
 * with a clashing artifact-name, a sibling's: on the first attempt that can
 * only be a sibling, and stays an error). The client deletes by name, the
 * newest of that name in the run.
 */
async function deleteEarlierAttempt(client: DefaultArtifactClient, { artifactName, runAttempt, info }: ArtifactUpload): Promise<void> {
  try {
    const { id } = await client.deleteArtifact(artifactName);
    info?.(`replaced the artifact "${artifactName}" (id ${id}) that an earlier attempt of this run uploaded (this is attempt ${runAttempt})`);
  } catch (error) {
    if (error instanceof ArtifactNotFoundError) return; // gone meanwhile: the name is free
    throw new PybinError(`the artifact "${artifactName}" of an earlier attempt of this run could not be deleted to upload this attempt's: ${errorMessage(error)}`);
  }
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

/**
 * The client keeps no status code: a 409 from CreateArtifact only shows in its message,
 * "Failed to CreateArtifact: Received non-retryable error: Failed request: (409) Conflict: ...".
 */
function isNameTaken(error: unknown): boolean {
  return /Failed request: \(409\)/.test(errorMessage(error));
}

function uploadError(name: string, error: unknown, when: 'first try' | 'after replacing'): PybinError {
  if (isNameTaken(error)) {
    const clash = when === 'first try'
      ? `an artifact named "${name}" already exists in this workflow run`
      : `another job of this attempt uploaded an artifact named "${name}" too`;
    return new PybinError(
      `${clash}, and artifact names are unique per run. ` +
        'For matrix jobs, keep {os} and {arch} in artifact-name (the default is {name}-{os}-{arch}) or give each job its own name. ' +
        "(A re-run replaces the artifacts of the run's earlier attempts.)",
      'artifact-name',
    );
  }
  const message = errorMessage(error);
  return new PybinError(`uploading the artifact "${name}" failed: ${message}`);
}
