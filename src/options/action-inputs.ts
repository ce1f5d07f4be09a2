import { parseTargetRequest } from '../bundle/target.js';
import { ARCHIVES } from '../publish/archive.js';
import { validateArtifactName } from '../publish/artifact.js';
import { PybinError } from '../plumbing/errors.js';
import {
  parseBoolean, parseChoice, parseCompression, parseInterpreterMode, parseManifestUrl, parsePython, parseSmokeTest, parseSources,
  type ActionOptions,
  type InterpreterOptions,
} from './options.js';

/** What the Action knows of its run, for defaults (see publish/github-context.ts). */
export interface RunFacts {
  /** The tag of a tag push or a release event. */
  tag?: string;
  /** owner/name of the repository being built, for the default binary name. */
  repository?: string;
  /** Where the default manifest of prebuilt toolchains lives (the Action's own releases). */
  defaultManifestUrl?: string;
}

function parseRetentionDays(value: string): number | undefined {
  if (!value) return undefined;
  const days = Number(value);
  if (!Number.isInteger(days) || days < 1 || days > 90) {
    throw new PybinError(`retention-days must be a whole number from 1 to 90 (the most GitHub keeps artifacts), got "${value}"`, 'retention-days');
  }
  return days;
}

function parseArtifactName(template: string): string {
  validateArtifactName(template); // the placeholders themselves are allowed characters
  return template;
}

/** The interpreter inputs; the Action's own default manifest is taken only for what this release pins. */
function interpreterOptions(mode: string, manifestUrl: string, defaultManifestUrl: string | undefined): InterpreterOptions {
  const given = parseManifestUrl(manifestUrl);
  return {
    mode: parseInterpreterMode(mode || 'auto'),
    manifestUrl: given ?? defaultManifestUrl,
    ...(!given && defaultManifestUrl ? { pinnedOnly: true } : {}),
  };
}

/** Lines of a multiline input, trimmed, without blanks. */
function lines(value: string): string[] {
  return value.split('\n').map((l) => l.trim()).filter(Boolean);
}

/**
 * Every Action input (action.yml), validated before any work starts.
 * `input(name)` returns the raw string, empty when unset (as @actions/core's
 * getInput does).
 */
export function readActionOptions(input: (name: string) => string, facts: RunFacts): ActionOptions {
  const release = parseChoice(input('release') || 'auto', ['auto', 'true', 'false'] as const, 'release');
  const releaseTag = input('release-tag') || facts.tag;
  if (release === 'true' && !releaseTag) {
    throw new PybinError('release is true but there is no tag: set release-tag, or run on a tag push or a release event', 'release-tag');
  }
  if (release === 'auto' && input('release-tag') && !facts.tag) {
    throw new PybinError(
      'release-tag is set, but release is auto and this run is not for a tag (a tag push or a release event), so no release would be made: ' +
        'set release: true to publish to release-tag from this run, or leave release-tag unset',
      'release-tag',
    );
  }
  const wantsRelease = release === 'true' || (release === 'auto' && Boolean(facts.tag));
  return {
    bundle: {
      appDir: input('app') || '.',
      entry: input('entry') || undefined,
      name: input('name') || undefined,
      python: parsePython(input('python-version')),
      target: parseTargetRequest(input('target') || 'auto', input('manylinux') || undefined),
      outDir: input('out') || 'dist',
      requirements: input('requirements') || undefined,
      excludes: lines(input('exclude')),
      compression: parseCompression(input('compression') || 'deflate'),
      smokeTest: parseSmokeTest(input('smoke-test')),
      extract: parseBoolean(input('extract') || 'false', 'extract'),
      keepSources: true,
      sources: parseSources(input('sources') || undefined),
      fallbackName: facts.repository?.split('/')[1],
    },
    interpreter: interpreterOptions(input('interpreter'), input('manifest-url'), facts.defaultManifestUrl),
    actionsCache: parseBoolean(input('cache') || 'true', 'cache'),
    publish: {
      uploadArtifact: parseBoolean(input('upload-artifact') || 'true', 'upload-artifact'),
      artifactName: parseArtifactName(input('artifact-name') || '{name}-{os}-{arch}'),
      retentionDays: parseRetentionDays(input('retention-days')),
      archive: parseChoice(input('archive') || 'none', ARCHIVES, 'archive'),
      releaseTag: wantsRelease ? releaseTag : undefined,
      draft: parseBoolean(input('draft') || 'false', 'draft'),
      prerelease: parseBoolean(input('prerelease') || 'false', 'prerelease'),
      overwrite: parseBoolean(input('overwrite') || 'true', 'overwrite'),
      installScript: parseBoolean(input('install-script') || 'false', 'install-script'),
      prComment: parseBoolean(input('pr-comment') || 'false', 'pr-comment'),
      token: input('token'),
    },
  };
}
