import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { mergeChecksums } from '../plumbing/checksums.js';
import { PybinError } from '../plumbing/errors.js';
import { isReadOnlyTokenError, type Octokit, type Repository } from './github-context.js';

type Release = Awaited<ReturnType<Octokit['rest']['repos']['getReleaseByTag']>>['data'];
type Asset = Release['assets'][number];

export interface PublishReleaseOptions {
  octokit: Octokit;
  repo: Repository;
  tag: string;
  /** Paths of the files to attach; a file named SHA256SUMS is merged with the release's own. */
  assets: string[];
  /** Leave a release we create as a draft. */
  draft: boolean;
  prerelease: boolean;
  /** Replace assets of the same name; otherwise finding one is an error. */
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
}

const CHECKSUMS = 'SHA256SUMS';
const CHECKSUMS_ATTEMPTS = 10;

/**
 * Attaches `assets` to the release for `tag`, creating it if need be. Matrix
 * jobs all call this for one tag at once: see createDraft and uploadChecksums
 * for how they share the release. Undefined when the token may not write.
 */
export async function publishRelease(options: PublishReleaseOptions): Promise<PublishedRelease | undefined> {
  try {
    return await publish(options);
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

async function publish(options: PublishReleaseOptions): Promise<PublishedRelease> {
  const { octokit, repo, tag, draft, prerelease } = options;
  const files = await Promise.all(options.assets.map(async (path) => ({ name: basename(path), content: await readFile(path) })));
  const found = await findRelease(octokit, repo, tag);
  const { release, created } = found ? { release: found, created: false } : await createDraft(options);

  const uploaded: Asset[] = [];
  for (const file of files) {
    uploaded.push(
      file.name === CHECKSUMS
        ? await uploadChecksums(octokit, repo, release, file.content)
        : await uploadReplacing(octokit, repo, release, file, options.overwrite),
    );
  }
  if (!created || draft) return describe(release, uploaded, created);
  // Only the job that created the release publishes it, once its own assets are
  // in: sibling jobs still uploading land theirs on the published release.
  const { data: published } = await octokit.rest.repos.updateRelease({ ...repo, release_id: release.id, draft: false, prerelease });
  // Publishing moves the download URLs from untagged-… to the tag.
  return describe(published, uploaded.map((a) => published.assets.find((p) => p.id === a.id) ?? a), created);
}

function describe(release: Release, assets: Asset[], created: boolean): PublishedRelease {
  return { releaseUrl: release.html_url, assets: assets.map((a) => ({ name: a.name, url: a.browser_download_url })), created };
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
 * tag, but not a second draft: when sibling jobs race here, each looks again
 * after creating, and all settle on the published release or else the oldest
 * draft; the others delete their own. Jobs that look before a sibling's draft
 * is listed can still end up with two drafts.
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

async function uploadReplacing(
  octokit: Octokit,
  repo: Repository,
  release: Release,
  file: { name: string; content: Buffer },
  overwrite: boolean,
): Promise<Asset> {
  try {
    return await upload(octokit, repo, release, file.name, file.content, 'application/octet-stream');
  } catch (error) {
    if (!isAlreadyExists(error)) throw error;
    if (!overwrite) {
      throw new PybinError(`release ${release.tag_name} already has an asset named ${file.name}; set overwrite: true to replace it`, 'overwrite');
    }
  }
  const existing = (await listAssets(octokit, repo, release.id)).find((a) => a.name === file.name);
  if (existing) await deleteAsset(octokit, repo, existing.id);
  return await upload(octokit, repo, release, file.name, file.content, 'application/octet-stream');
}

/**
 * Every matrix job brings a SHA256SUMS of its own binaries, and the release
 * must end up with all their lines: so download the release's one, merge ours
 * in, and replace it. Deleting by the id we read, and uploading only where no
 * file of that name is, fail when a sibling replaced it meanwhile; then we go
 * round with everything seen so far. A line can still be lost when a job dies
 * between delete and upload, or when GitHub lists assets late.
 */
async function uploadChecksums(octokit: Octokit, repo: Repository, release: Release, ours: Buffer): Promise<Asset> {
  let seen = '';
  for (let attempt = 1; ; attempt++) {
    const current = (await listAssets(octokit, repo, release.id)).find((a) => a.name === CHECKSUMS);
    try {
      if (current) {
        seen = mergeChecksums(seen, await downloadAsset(octokit, repo, current.id));
        await octokit.rest.repos.deleteReleaseAsset({ ...repo, asset_id: current.id });
      }
      const merged = mergeChecksums(seen, ours.toString('utf8'));
      return await upload(octokit, repo, release, CHECKSUMS, Buffer.from(merged), 'text/plain');
    } catch (error) {
      const raced = isAlreadyExists(error) || statusOf(error) === 404;
      if (!raced || attempt === CHECKSUMS_ATTEMPTS) throw error;
    }
  }
}

async function upload(octokit: Octokit, repo: Repository, release: Release, name: string, content: Buffer, contentType: string): Promise<Asset> {
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

async function listAssets(octokit: Octokit, repo: Repository, releaseId: number): Promise<Asset[]> {
  return await octokit.paginate(octokit.rest.repos.listReleaseAssets, { ...repo, release_id: releaseId, per_page: 100 });
}

async function deleteAsset(octokit: Octokit, repo: Repository, assetId: number): Promise<void> {
  try {
    await octokit.rest.repos.deleteReleaseAsset({ ...repo, asset_id: assetId });
  } catch (error) {
    if (statusOf(error) !== 404) throw error;
  }
}

async function downloadAsset(octokit: Octokit, repo: Repository, assetId: number): Promise<string> {
  // With this accept header GitHub redirects to the file's storage, which fetch follows.
  const { data } = await octokit.rest.repos.getReleaseAsset({ ...repo, asset_id: assetId, headers: { accept: 'application/octet-stream' } });
  const body: unknown = data;
  return typeof body === 'string' ? body : Buffer.from(body as ArrayBuffer).toString('utf8');
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
