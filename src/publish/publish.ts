import { getOctokit } from '@actions/github';
import { basename, dirname, join } from 'node:path';
import type { BundleResult } from '../bundle/bundle.js';
import type { Progress } from '../plumbing/progress.js';
import { archiveBinary, type Archive } from './archive.js';
import { expandArtifactName, uploadBinaryArtifact } from './artifact.js';
import { upsertPreviewComment } from './comment.js';
import type { GitHubContext } from './github-context.js';
import { publishRelease } from './release.js';

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
  prComment: boolean;
  token: string;
}

export interface Published {
  artifact?: { name: string; id: number; url?: string };
  release?: { url: string; assetUrl?: string };
  commentUrl?: string;
}

/** The built binary -> a workflow artifact, a release asset and a PR preview comment, as asked. */
export async function publishBinary(
  build: BundleResult,
  options: PublishOptions,
  context: GitHubContext,
  progress: Progress,
): Promise<Published> {
  const published: Published = {};
  if (options.uploadArtifact) {
    const name = expandArtifactName(options.artifactName, { name: build.name, os: build.os, arch: build.arch, python: build.toolchain.metadata.python });
    published.artifact = await progress.stage(`upload artifact ${name}`, async () => {
      const file = await archiveBinary(build.binary, options.archive, dirname(build.binary));
      return { name, ...(await uploadBinaryArtifact({ file, artifactName: name, retentionDays: options.retentionDays })) };
    });
  }

  const writes = options.releaseTag !== undefined || (options.prComment && context.pullRequest !== undefined);
  if (writes && context.pullRequest?.isFork) {
    progress.warn('this pull request comes from a fork, whose token is read-only: skipping the release and the preview comment');
    return published;
  }
  if (!writes) return published;
  const octokit = getOctokit(options.token, { baseUrl: context.apiUrl });

  if (options.releaseTag !== undefined) {
    const tag = options.releaseTag;
    const release = await progress.stage(`attach to release ${tag}`, () =>
      publishRelease({
        octokit,
        repo: context.repository,
        tag,
        assets: [build.binary, join(dirname(build.binary), 'SHA256SUMS')],
        draft: options.draft,
        prerelease: options.prerelease,
        overwrite: options.overwrite,
        targetCommitish: context.sha,
        failWhenReadOnly: true, // fork pull requests were skipped above
        warn: progress.warn,
      }),
    );
    if (release) {
      published.release = { url: release.releaseUrl, assetUrl: release.assets.find((a) => a.name === basename(build.binary))?.url };
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
