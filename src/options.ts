import { isAbsolute } from 'node:path';
import type { BundleOptions } from './bundle/bundle.js';
import type { Compression } from './bundle/zip.js';
import { PybinError } from './plumbing/errors.js';
import { validateArtifactName } from './publish/artifact.js';
import { ARCHIVES } from './publish/archive.js';
import type { PublishOptions } from './publish/publish.js';
import { INTERPRETER_MODES, type InterpreterMode } from './toolchain/resolve.js';
import { selectPython } from './toolchain/versions.js';

/** How to get the interpreter: shared by the CLI and the Action. */
export interface InterpreterOptions {
  mode: InterpreterMode;
  manifestUrl?: string;
  cache: boolean;
}

/** One validated options object: the CLI fills `bundle` and `interpreter`, the Action also `publish`. */
export interface Options {
  bundle: BundleOptions;
  interpreter: InterpreterOptions;
  publish?: PublishOptions;
}

/** What the Action knows of its run, for defaults (see publish/github-context.ts). */
export interface RunFacts {
  /** The tag of a tag push or a release event. */
  tag?: string;
  /** owner/name of the repository being built, for the default binary name. */
  repository?: string;
  /** Where the default manifest of prebuilt toolchains lives (the Action's own releases). */
  defaultManifestUrl?: string;
}

export function parseCompression(value: string, input = 'compression'): Compression {
  if (value === 'deflate' || value === 'store') return value;
  throw new PybinError(`${input} must be deflate or store, got "${value}"`, input);
}

export function parseInterpreterMode(value: string): InterpreterMode {
  const mode = INTERPRETER_MODES.find((m) => m === value);
  if (!mode) throw new PybinError(`interpreter must be one of ${INTERPRETER_MODES.join(', ')}, got "${value}"`, 'interpreter');
  return mode;
}

export function parseManifestUrl(value: string): string | undefined {
  if (!value) return undefined;
  if (isAbsolute(value) || /^https?:\/\//.test(value)) return value;
  throw new PybinError(`manifest-url must be an http(s) URL or an absolute file path, got "${value}"`, 'manifest-url');
}

/** `python-version` is checked against the pins now, not after minutes of work. */
export function parsePythonVersion(value: string): string | undefined {
  if (!value) return undefined;
  selectPython(value);
  return value;
}

/** YAML 1.2 core booleans, as the runner's own getBooleanInput accepts them. */
export function parseBoolean(value: string, input: string): boolean {
  if (['true', 'True', 'TRUE'].includes(value)) return true;
  if (['false', 'False', 'FALSE'].includes(value)) return false;
  throw new PybinError(`${input} must be true or false, got "${value}"`, input);
}

function parseChoice<T extends string>(value: string, choices: readonly T[], input: string): T {
  const choice = choices.find((c) => c === value);
  if (!choice) throw new PybinError(`${input} must be one of ${choices.join(', ')}, got "${value}"`, input);
  return choice;
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

/** Lines of a multiline input, trimmed, without blanks. */
function lines(value: string): string[] {
  return value.split('\n').map((l) => l.trim()).filter(Boolean);
}

/**
 * Every Action input, validated before any work starts. `input(name)` returns
 * the raw string, empty when unset (as @actions/core's getInput does).
 */
export function readActionOptions(input: (name: string) => string, facts: RunFacts): Options {
  const name = input('name') || undefined;
  const release = parseChoice(input('release') || 'auto', ['auto', 'true', 'false'] as const, 'release');
  const releaseTag = input('release-tag') || facts.tag;
  if (release === 'true' && !releaseTag) {
    throw new PybinError('release is true but there is no tag: set release-tag, or run on a tag push or a release event', 'release-tag');
  }
  const wantsRelease = release === 'true' || (release === 'auto' && Boolean(facts.tag));
  const smokeTest = input('smoke-test');
  return {
    bundle: {
      appDir: input('app') || '.',
      entry: input('entry') || undefined,
      name: name ?? undefined,
      python: parsePythonVersion(input('python-version')),
      target: input('target') || 'auto',
      manylinux: input('manylinux') || undefined,
      outDir: input('out') || 'dist',
      requirements: input('requirements') || undefined,
      excludes: lines(input('exclude')),
      compression: parseCompression(input('compression') || 'deflate'),
      smokeTest: smokeTest === '' ? undefined : smokeTest,
      extract: parseBoolean(input('extract') || 'false', 'extract'),
      keepSources: true,
      sourcesFile: input('sources') || undefined,
      fallbackName: facts.repository?.split('/')[1],
    },
    interpreter: {
      mode: parseInterpreterMode(input('interpreter') || 'auto'),
      manifestUrl: parseManifestUrl(input('manifest-url')) ?? facts.defaultManifestUrl,
      cache: parseBoolean(input('cache') || 'true', 'cache'),
    },
    publish: {
      uploadArtifact: parseBoolean(input('upload-artifact') || 'true', 'upload-artifact'),
      artifactName: parseArtifactName(input('artifact-name') || '{name}-{os}-{arch}'),
      retentionDays: parseRetentionDays(input('retention-days')),
      archive: parseChoice(input('archive') || 'none', ARCHIVES, 'archive'),
      releaseTag: wantsRelease ? releaseTag : undefined,
      draft: parseBoolean(input('draft') || 'false', 'draft'),
      prerelease: parseBoolean(input('prerelease') || 'false', 'prerelease'),
      overwrite: parseBoolean(input('overwrite') || 'true', 'overwrite'),
      prComment: parseBoolean(input('pr-comment') || 'false', 'pr-comment'),
      token: input('token'),
    },
  };
}
