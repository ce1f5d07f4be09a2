import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { keepChecksums, mergeChecksums } from '../plumbing/checksums.js';
import { PybinError } from '../plumbing/errors.js';
import { isReadOnlyTokenError, type Octokit, type Repository } from './github-context.js';

type Release = Awaited<ReturnType<Octokit['rest']['repos']['getReleaseByTag']>>['data'];
type Asset = Release['assets'][number];

/** A file to attach: a path, or a name with its bytes (made in memory, like install.sh). */
export type ReleaseFile = string | { name: string; content: Buffer };

export interface PublishReleaseOptions {
  octokit: Octokit;
  repo: Repository;
  tag: string;
  /** The files to attach; one named SHA256SUMS is merged with the release's own, after the others are in. */
  assets: ReleaseFile[];
  /** Leave the release a draft: neither one we create nor one we find is published. */
  draft: boolean;
  prerelease: boolean;
  /** Replace assets of the same name and other content; otherwise finding one is an error. */
  overwrite: boolean;
  /** The commit a tag that does not exist yet is made at when the release is published (GitHub's default: the default branch). */
  targetCommitish?: string;
  /** A read-only token is expected on fork pull requests (warn and skip); anywhere else it is a misconfiguration (fail). */
  failWhenReadOnly?: boolean;
  warn: (message: string) => void;
}

export interface PublishedRelease {
  releaseUrl: string;
  assets: { name: string; url: string }[];
  /** This call created the release (rather than finding one). */
  created: boolean;
  /** The release is still a draft (draft: true). */
  draft: boolean;
}

interface NamedFile {
  name: string;
  content: Buffer;
}

const CHECKSUMS = 'SHA256SUMS';
const CHECKSUMS_ATTEMPTS = 10;
const ASSET_ATTEMPTS = 5;
/** Times the whole attach starts over when the release it worked on was deleted or another one was published for the tag. */
const ROUNDS = 3;

/** The release worked on was deleted, or another was published for the tag: start over with the one that now stands. */
class ReleaseSuperseded extends Error {}

/**
 * Attaches `assets` to the release for `tag`, creating it as a draft if need
 * be, and publishes a draft once its own assets are in, unless draft: true.
 * Matrix jobs all call this for one tag at once, and re-runs of failed jobs
 * call it again: whoever finishes its uploads publishes (idempotently), so a
 * draft whose creator failed is published by the next job. See createDraft
 * and uploadChecksums for how jobs share the release. Undefined when the
 * token may not write.
 */
export async function publishRelease(options: PublishReleaseOptions): Promise<PublishedRelease | undefined> {
  try {
    return await attach(options);
  } catch (error) {
    if (!isReadOnlyTokenError(error)) throw error;
    const { owner, repo } = options.repo;
    const cause = `the token may not write releases of ${owner}/${repo} (${(error as Error).message})`;
    if (options.failWhenReadOnly) {
      throw new PybinError(`${cause}: give the workflow \`permissions: contents: write\`, or pass a token that may`, 'token');
    }
    options.warn(
      `${cause}, so release ${options.tag} was skipped. ` +
        'Pull requests from forks get a read-only token; otherwise give the workflow `permissions: contents: write`.',
    );
    return undefined;
  }
}

async function attach(options: PublishReleaseOptions): Promise<PublishedRelease> {
  const files = await Promise.all(options.assets.map(readReleaseFile));
  for (let round = 1; ; round++) {
    const { release, created } = await findOrCreateRelease(options);
    try {
      const uploaded = await uploadAll(options, release, files);
      return await settle(options, release, uploaded, created);
    } catch (error) {
      const superseded = error instanceof ReleaseSuperseded || statusOf(error) === 404;
      if (!superseded || round === ROUNDS) {
        if (release.draft) options.warn(`release ${options.tag} may be left a draft, at ${release.html_url}: re-run the failed jobs to publish it`);
        throw error instanceof ReleaseSuperseded ? new PybinError(`release ${options.tag} kept changing under this job: ${error.message}`) : error;
      }
      if (error instanceof ReleaseSuperseded) await dropOurDraft(options, release, created);
    }
  }
}

async function readReleaseFile(file: ReleaseFile): Promise<NamedFile> {
  return typeof file === 'string' ? { name: basename(file), content: await readFile(file) } : file;
}

async function findOrCreateRelease(options: PublishReleaseOptions): Promise<{ release: Release; created: boolean }> {
  const found = await findRelease(options.octokit, options.repo, options.tag);
  return found ? { release: found, created: false } : await createDraft(options);
}

/** The other files first, then SHA256SUMS, which keeps only lines of assets the release has. */
async function uploadAll(options: PublishReleaseOptions, release: Release, files: NamedFile[]): Promise<Asset[]> {
  const uploaded: Asset[] = [];
  for (const file of files.filter((f) => f.name !== CHECKSUMS)) uploaded.push(await uploadAsset(options, release, file));
  for (const sums of files.filter((f) => f.name === CHECKSUMS)) uploaded.push(await uploadChecksums(options, release, sums.content, uploaded));
  return uploaded;
}

/**
 * The release as it now stands, published unless draft: true. Publishing an
 * already published release changes nothing, so every job may try; a 422 means
 * another release for the tag was published meanwhile (two drafts were made).
 */
async function settle(options: PublishReleaseOptions, release: Release, uploaded: Asset[], created: boolean): Promise<PublishedRelease> {
  let current = await getRelease(options, release.id);
  if (current.draft && !options.draft) current = await publishDraft(options, current);
  if (current.draft) options.warn(`release ${options.tag} is left a draft, as draft: true asks: publish it at ${current.html_url}`);
  // Publishing moves the download URLs from untagged-… to the tag.
  const assets = uploaded.map((a) => current.assets.find((c) => c.id === a.id) ?? a);
  return { releaseUrl: current.html_url, assets: assets.map((a) => ({ name: a.name, url: a.browser_download_url })), created, draft: current.draft };
}

async function getRelease({ octokit, repo }: PublishReleaseOptions, id: number): Promise<Release> {
  return (await octokit.rest.repos.getRelease({ ...repo, release_id: id })).data;
}

async function publishDraft({ octokit, repo, tag }: PublishReleaseOptions, draft: Release): Promise<Release> {
  try {
    return (await octokit.rest.repos.updateRelease({ ...repo, release_id: draft.id, draft: false })).data;
  } catch (error) {
    if (isAlreadyExists(error)) throw new ReleaseSuperseded(`another release was published for ${tag} while this job uploaded to the draft ${draft.html_url}`);
    throw error;
  }
}

/** After another release was published for the tag: our own draft goes; one we found stays, said. */
async function dropOurDraft({ octokit, repo, tag, warn }: PublishReleaseOptions, release: Release, created: boolean): Promise<void> {
  if (!release.draft) return;
  if (!created) {
    warn(`a draft for ${tag} remains at ${release.html_url} beside the published release: delete it once its assets are on the published one`);
    return;
  }
  try {
    await octokit.rest.repos.deleteRelease({ ...repo, release_id: release.id });
  } catch (error) {
    if (statusOf(error) !== 404) throw error;
  }
}

/** The published release for `tag`, else the oldest draft with that tag (drafts are not found by tag). */
async function findRelease(octokit: Octokit, repo: Repository, tag: string): Promise<Release | undefined> {
  try {
    return (await octokit.rest.repos.getReleaseByTag({ ...repo, tag })).data;
  } catch (error) {
    if (statusOf(error) !== 404) throw error;
  }
  return oldest((await releasesTagged(octokit, repo, tag)).filter((r) => r.draft));
}

async function releasesTagged(octokit: Octokit, repo: Repository, tag: string): Promise<Release[]> {
  const releases = await octokit.paginate(octokit.rest.repos.listReleases, { ...repo, per_page: 100 });
  return releases.filter((r) => r.tag_name === tag);
}

/**
 * Creates a draft for the tag. GitHub refuses a second published release for a
 * tag, but not a second draft: when sibling jobs race here (or a retried
 * create landed twice), each looks again after creating, and all settle on the
 * published release or else the oldest draft; the others delete their own.
 * Jobs that look before a sibling's draft is listed can still end up with two
 * drafts: then the first to publish wins, and the other starts over (see attach).
 */
async function createDraft(options: PublishReleaseOptions): Promise<{ release: Release; created: boolean }> {
  const { octokit, repo, tag, prerelease, targetCommitish } = options;
  let ours: Release;
  try {
    const created = await octokit.rest.repos.createRelease({
      ...repo,
      tag_name: tag,
      name: tag,
      draft: true,
      prerelease,
      ...(targetCommitish && { target_commitish: targetCommitish }),
    });
    ours = created.data;
  } catch (error) {
    const theirs = isAlreadyExists(error) ? await findRelease(octokit, repo, tag) : undefined;
    if (!theirs) throw error;
    return { release: theirs, created: false };
  }
  const twins = await releasesTagged(octokit, repo, tag);
  const winner = twins.find((r) => !r.draft) ?? oldest(twins);
  if (!winner || winner.id === ours.id) return { release: ours, created: true };
  await octokit.rest.repos.deleteRelease({ ...repo, release_id: ours.id });
  return { release: winner, created: false };
}

/**
 * Uploads `file`, which may already be there: a retried upload whose first try
 * landed, a re-run, a sibling's install.sh. The same bytes are success; other
 * bytes are replaced with overwrite, else an error.
 */
async function uploadAsset(options: PublishReleaseOptions, release: Release, file: NamedFile): Promise<Asset> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await upload(options, release, file.name, file.content, 'application/octet-stream');
    } catch (error) {
      if (!isAlreadyExists(error) || attempt === ASSET_ATTEMPTS) throw error;
    }
    const existing = (await listAssets(options, release.id)).find((a) => a.name === file.name);
    if (!existing) continue; // deleted since: upload again
    if (existing.state === 'uploaded' && (await holdsBytes(options, existing, file.content))) return existing;
    // An asset whose upload broke off ('open') is nobody's finished file: it goes whatever overwrite says.
    if (existing.state === 'uploaded' && !options.overwrite) {
      throw new PybinError(`release ${release.tag_name} already has an asset named ${file.name}, with other content; set overwrite: true to replace it`, 'overwrite');
    }
    await deleteAsset(options, existing.id);
  }
}

/** Whether the asset's bytes are `content`: by GitHub's digest when it has one, else downloaded. */
async function holdsBytes(options: PublishReleaseOptions, asset: Asset, content: Buffer): Promise<boolean> {
  if (asset.size !== content.length) return false;
  if (asset.digest) return asset.digest === `sha256:${createHash('sha256').update(content).digest('hex')}`;
  return (await downloadAsset(options, asset.id)).equals(content);
}

/**
 * Every matrix job brings a SHA256SUMS of its own files, and the release must
 * end up with all their lines: so download the release's one, merge ours in,
 * keep the lines of files the release has (`ours` are in: they were uploaded
 * first), and replace it. Deleting by the id we read, and uploading only where
 * no file of that name is, fail when a sibling replaced it meanwhile; then we
 * go round with everything seen so far. A line can still be lost when a job
 * dies between delete and upload, or when GitHub lists assets late.
 */
async function uploadChecksums(options: PublishReleaseOptions, release: Release, sums: Buffer, ours: Asset[]): Promise<Asset> {
  let seen = '';
  for (let attempt = 1; ; attempt++) {
    const assets = await listAssets(options, release.id);
    const current = assets.find((a) => a.name === CHECKSUMS);
    try {
      if (current) {
        seen = mergeChecksums(seen, (await downloadAsset(options, current.id)).toString('utf8'));
        await options.octokit.rest.repos.deleteReleaseAsset({ ...options.repo, asset_id: current.id });
      }
      const names = new Set([...assets, ...ours].map((a) => a.name));
      const merged = keepChecksums(mergeChecksums(seen, sums.toString('utf8')), (name) => name === '' || names.has(name));
      return await upload(options, release, CHECKSUMS, Buffer.from(merged), 'text/plain');
    } catch (error) {
      const raced = isAlreadyExists(error) || (statusOf(error) === 404 && current !== undefined);
      if (!raced || attempt === CHECKSUMS_ATTEMPTS) throw error;
    }
  }
}

async function upload({ octokit, repo }: PublishReleaseOptions, release: Release, name: string, content: Buffer, contentType: string): Promise<Asset> {
  const { data } = await octokit.rest.repos.uploadReleaseAsset({
    ...repo,
    release_id: release.id,
    // Uploads go to their own host (uploads.github.com, or the GHES one); its
    // address comes with the release. Octokit's default is api.github.com-only.
    url: release.upload_url,
    name,
    // Typed as string, but Octokit passes any fetch body through as it is.
    data: content as unknown as string,
    headers: { 'content-type': contentType, 'content-length': content.length },
  });
  return data;
}

async function listAssets({ octokit, repo }: PublishReleaseOptions, releaseId: number): Promise<Asset[]> {
  return await octokit.paginate(octokit.rest.repos.listReleaseAssets, { ...repo, release_id: releaseId, per_page: 100 });
}

async function deleteAsset({ octokit, repo }: PublishReleaseOptions, assetId: number): Promise<void> {
  try {
    await octokit.rest.repos.deleteReleaseAsset({ ...repo, asset_id: assetId });
  } catch (error) {
    if (statusOf(error) !== 404) throw error;
  }
}

async function downloadAsset({ octokit, repo }: PublishReleaseOptions, assetId: number): Promise<Buffer> {
  // With this accept header GitHub redirects to the file's storage, which fetch follows.
  const { data } = await octokit.rest.repos.getReleaseAsset({ ...repo, asset_id: assetId, headers: { accept: 'application/octet-stream' } });
  const body: unknown = data;
  return typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body as ArrayBuffer);
}

function oldest(releases: Release[]): Release | undefined {
  return releases.reduce<Release | undefined>((a, b) => (a && a.id < b.id ? a : b), undefined);
}

function statusOf(error: unknown): number | undefined {
  const status = typeof error === 'object' && error !== null ? (error as { status?: unknown }).status : undefined;
  return typeof status === 'number' ? status : undefined;
}

/** GitHub's 422 for a name or tag that is taken. */
function isAlreadyExists(error: unknown): boolean {
  if (statusOf(error) !== 422) return false;
  const errors = (error as { response?: { data?: { errors?: unknown } } }).response?.data?.errors;
  return Array.isArray(errors) && errors.some((e) => (e as { code?: unknown } | null)?.code === 'already_exists');
}
