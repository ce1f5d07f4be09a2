import { parseArgs } from 'node:util';
import { parseTargetRequest } from '../bundle/target.js';
import { PybinError } from '../plumbing/errors.js';
import type { PythonRecipe } from '../toolchain/recipes.js';
import type { SourceOverrides } from '../toolchain/sources.js';
import { hostTarget, targetByTriple, type Target } from '../toolchain/targets.js';
import { parseCompression, parseInterpreterMode, parseJobs, parseManifestUrl, parsePython, parseSmokeTest, parseSources, type Options } from './options.js';

/** A wrong command line: exit 2, like other CLIs' usage errors. */
export class UsageError extends PybinError {}

/** What `pybin build` was asked, or that it was asked for help. */
export type BuildCommand = { help: true } | { help: false; options: Options };

/** What `pybin toolchain` was asked. */
export type ToolchainCommand =
  | { help: true }
  | {
      help: false;
      python?: PythonRecipe;
      target: Target;
      sources?: SourceOverrides;
      cacheDir?: string;
      jobs?: number;
      pack?: { dir: string; urlBase: string };
    };

/** `--smoke-test "--version"` is the common case: its value may start with a dash. */
function attachSmokeTestValue(args: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--smoke-test' && i + 1 < args.length) out.push(`--smoke-test=${args[++i]}`);
    else out.push(args[i]!);
  }
  return out;
}

/** `pybin build`'s flags, each parsed into the same options the Action's inputs become. */
export function readBuildFlags(args: string[]): BuildCommand {
  const { values, positionals } = parseArgs({
    args: attachSmokeTestValue(args),
    options: {
      entry: { type: 'string' },
      name: { type: 'string' },
      python: { type: 'string' },
      target: { type: 'string', default: 'auto' },
      manylinux: { type: 'string' },
      out: { type: 'string', default: 'dist' },
      requirements: { type: 'string' },
      exclude: { type: 'string', multiple: true, default: [] },
      compression: { type: 'string', default: 'deflate' },
      'smoke-test': { type: 'string' },
      extract: { type: 'boolean', default: false },
      'no-sources': { type: 'boolean', default: false },
      interpreter: { type: 'string', default: 'auto' },
      'manifest-url': { type: 'string' },
      sources: { type: 'string' },
      'cache-dir': { type: 'string' },
      jobs: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: true,
  });
  if (values.help) return { help: true };
  if (positionals.length > 1) throw new UsageError(`pybin build takes one APP_DIR, got ${positionals.length}: ${positionals.join(' ')}`);
  return {
    help: false,
    options: {
      bundle: {
        appDir: positionals[0] ?? '.',
        entry: values.entry,
        name: values.name,
        python: parsePython(values.python),
        target: parseTargetRequest(values.target, values.manylinux),
        outDir: values.out,
        requirements: values.requirements,
        excludes: values.exclude,
        compression: parseCompression(values.compression, '--compression'),
        smokeTest: parseSmokeTest(values['smoke-test']),
        extract: values.extract,
        keepSources: !values['no-sources'],
        sources: parseSources(values.sources),
        cacheDir: values['cache-dir'],
        jobs: parseUsageJobs(values.jobs),
      },
      interpreter: {
        mode: parseInterpreterMode(values.interpreter),
        manifestUrl: parseManifestUrl(values['manifest-url'] ?? ''),
      },
    },
  };
}

/** `pybin toolchain`'s flags. */
export function readToolchainFlags(args: string[]): ToolchainCommand {
  const { values } = parseArgs({
    args,
    options: {
      python: { type: 'string' },
      target: { type: 'string' },
      sources: { type: 'string' },
      'cache-dir': { type: 'string' },
      jobs: { type: 'string' },
      pack: { type: 'string' },
      'url-base': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return { help: true };
  if (values.pack !== undefined && !values['url-base']) throw new UsageError('--pack needs --url-base: where the packed toolchain will be downloaded from');
  return {
    help: false,
    python: parsePython(values.python),
    target: values.target === undefined ? hostTarget() : targetByTriple(values.target, '--target'),
    sources: parseSources(values.sources),
    cacheDir: values['cache-dir'],
    jobs: parseUsageJobs(values.jobs),
    pack: values.pack === undefined ? undefined : { dir: values.pack, urlBase: values['url-base']! },
  };
}

/** A bad --jobs is a usage error on the command line. */
function parseUsageJobs(value: string | undefined): number | undefined {
  try {
    return parseJobs(value);
  } catch (error) {
    throw new UsageError((error as Error).message, 'jobs');
  }
}

/** What `pybin inspect` was asked: which view of one binary. */
export type InspectCommand = { help: true } | { help: false; binary: string; view: 'text' | 'json' | 'sbom' | 'notices' };

/** `pybin inspect BINARY [--json | --sbom | --notices]`. */
export function readInspectFlags(args: string[]): InspectCommand {
  const { values, positionals } = parseArgs({
    args,
    options: {
      json: { type: 'boolean', default: false },
      sbom: { type: 'boolean', default: false },
      notices: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
  });
  if (values.help) return { help: true };
  const views = (['json', 'sbom', 'notices'] as const).filter((view) => values[view]);
  if (views.length > 1) throw new UsageError(`--${views[0]} and --${views[1]} ask for different outputs: give one of --json, --sbom, --notices`);
  if (positionals.length !== 1) {
    throw new UsageError(positionals.length ? `inspect takes one binary, got ${positionals.length}: ${positionals.join(' ')}` : 'inspect needs a binary: pybin inspect BINARY');
  }
  return { help: false, binary: positionals[0]!, view: views[0] ?? 'text' };
}
