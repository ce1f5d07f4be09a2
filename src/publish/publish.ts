import { basename, dirname, join } from 'node:path';
import type { BundleResult } from '../bundle/bundle.js';
import type { Progress } from '../plumbing/progress.js';
import { archiveBinary, type Archive } from './archive.js';
import { expandArtifactName, uploadBinaryArtifact, type UploadedArtifact } from './artifact.js';
import { upsertPreviewComment } from './comment.js';
import type { GitHubContext } from './github-context.js';
import { renderInstallScript } from './install-script.js';
import { createGitHubClient, type GitHubClientOptions } from './octokit.js';
import { publishRelease, type ReleaseFile } from './release.js';

/** What the Action does with the binary once built. */
export interface PublishOptions {
  uploadArtifact: boolean;
  /** A template: {name}, {os}, {arch} and {python} are filled in. */
  artifactName: string;
  retentionDays?: number;
  archive: Archive;
  /** Set when a release is wanted: the tag it goes to. */
  releaseTag?: string;
  draft: boolean;
  prerelease: boolean;
  overwrite: boolean;
  /** Attach an install.sh that downloads, checks and installs the binary for the machine it runs on. */
  installScript: boolean;
  prComment: boolean;
  token: string;
  /** Tests shorten the GitHub client's waits; no input sets this. */
  github?: Pick<GitHubClientOptions, 'retryDelayMs' | 'writeLimiters'>;
}

export interface Published {
  /** The binary's artifact (its SBOM and notices have their own, named after it). */
  artifact?: { name: string; id: number; url?: string };
  release?: { url: string; assetUrl?: string; sbomAssetUrl?: string; draft: boolean };
  commentUrl?: string;
}

const INSTALL_SCRIPT = 'install.sh';

/** The built binary -> workflow artifacts, release assets and a PR preview comment, as asked. */
export async function publishBinary(
  build: BundleResult,
  options: PublishOptions,
  context: GitHubContext,
  progress: Progress,
): Promise<Published> {
  const published: Published = {};
  if (options.uploadArtifact) published.artifact = await uploadArtifacts(build, options, context, progress);

  const writes = options.releaseTag !== undefined || (options.prComment && context.pullRequest !== undefined);
  if (writes && context.pullRequest?.isFork) {
    progress.warn('this pull request comes from a fork, whose token is read-only: skipping the release and the preview comment');
    return published;
  }
  if (!writes) return published;
  const octokit = createGitHubClient(options.token, { baseUrl: context.apiUrl, warn: progress.warn, ...options.github });

  if (options.releaseTag !== undefined) {
    const tag = options.releaseTag;
    const assets = releaseFiles(build, options, context, tag);
    const release = await progress.stage(`attach to release ${tag}`, () =>
      publishRelease({
        octokit,
        repo: context.repository,
        tag,
        assets,
        draft: options.draft,
        prerelease: options.prerelease,
        overwrite: options.overwrite,
        targetCommitish: context.sha,
        failWhenReadOnly: true, // fork pull requests were skipped above
        warn: progress.warn,
      }),
    );
    if (release) {
      const urlOf = (path: string) => release.assets.find((a) => a.name === basename(path))?.url;
      published.release = { url: release.releaseUrl, assetUrl: urlOf(build.binary), sbomAssetUrl: urlOf(build.sbom), draft: release.draft };
    }
  }

  if (options.prComment && context.pullRequest) {
    const comment = await progress.stage('update the preview comment', () =>
      upsertPreviewComment({
        octokit,
        repo: context.repository,
        issueNumber: context.pullRequest!.number,
        rows: [{ binary: basename(build.binary), target: build.toolchain.target.triple, size: build.size, sha256: build.sha256, artifactUrl: published.artifact?.url }],
        warn: progress.warn,
      }),
    );
    published.commentUrl = comment?.url;
  }
  return published;
}

/**
 * The binary (as is, or archived) as the artifact `name`, then its SBOM and
 * notices as `name.cdx.json` and `name.notices.txt`, each unzipped.
 */
async function uploadArtifacts(build: BundleResult, options: PublishOptions, context: GitHubContext, progress: Progress): Promise<Published['artifact']> {
  const name = expandArtifactName(options.artifactName, { name: build.name, os: build.os, arch: build.arch, python: build.toolchain.metadata.python });
  const upload = (file: string, artifactName: string): Promise<UploadedArtifact> =>
    uploadBinaryArtifact({ file, artifactName, retentionDays: options.retentionDays, runAttempt: context.runAttempt, info: progress.info });
  return await progress.stage(`upload artifact ${name}`, async () => {
    const binary = await upload(await archiveBinary(build.binary, options.archive, dirname(build.binary)), name);
    await upload(build.sbom, `${name}.cdx.json`);
    await upload(build.notices, `${name}.notices.txt`);
    return { name, ...binary };
  });
}

/** The binary, its SBOM and notices, install.sh if asked, and SHA256SUMS last (see publishRelease). */
function releaseFiles(build: BundleResult, options: PublishOptions, context: GitHubContext, tag: string): ReleaseFile[] {
  const files: ReleaseFile[] = [build.binary, build.sbom, build.notices];
  if (options.installScript) {
    const { owner, repo } = context.repository;
    const downloadUrl = `${context.serverUrl}/${owner}/${repo}/releases/download/${tag.split('/').map(encodeURIComponent).join('/')}`;
    files.push({ name: INSTALL_SCRIPT, content: Buffer.from(renderInstallScript({ name: build.name, downloadUrl })) });
  }
  files.push(checksumsPath(build));
  return files;
}

/** The SHA256SUMS the build keeps beside the binary, its SBOM and notices. */
export function checksumsPath(build: BundleResult): string {
  return join(dirname(build.binary), 'SHA256SUMS');
}
