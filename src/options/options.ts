import { isAbsolute } from 'node:path';
import type { BundleOptions } from '../bundle/plan.js';
import type { Compression } from '../bundle/zip.js';
import { PybinError, errorMessage } from '../plumbing/errors.js';
import { isSecureUrl } from '../plumbing/http.js';
import { splitArgs } from '../plumbing/split-args.js';
import type { PublishOptions } from '../publish/publish.js';
import type { PythonRecipe } from '../toolchain/recipes.js';
import { INTERPRETER_MODES, type InterpreterMode } from '../toolchain/resolve.js';
import { loadSourceOverrides, type SourceOverrides } from '../toolchain/sources.js';
import { selectPython } from '../toolchain/versions.js';

/**
 * The options both faces build, each value parsed once, here (the target with
 * bundle/target.ts's parseTargetRequest), into its type:
 * CLI flags (cli-flags.ts) and Action inputs (action-inputs.ts) go through
 * the same parsers, so a bad value fails the same way before any work starts.
 */

/** How to get the interpreter: shared by the CLI and the Action. */
export interface InterpreterOptions {
  mode: InterpreterMode;
  manifestUrl?: string;
  /** The manifest is the Action's default: only toolchains this release pins are taken from it (toolchain/pins.ts). */
  pinnedOnly?: boolean;
}

/** What `pybin build` and the Action both run on. */
export interface Options {
  bundle: BundleOptions;
  interpreter: InterpreterOptions;
}

/** The Action's options: a build, what to publish, and whether the runner's Actions cache keeps interpreters. */
export interface ActionOptions extends Options {
  publish: PublishOptions;
  actionsCache: boolean;
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
  if (isAbsolute(value) || isSecureUrl(value) || value.startsWith('file:')) return value;
  throw new PybinError(`manifest-url must be an https URL or an absolute file path, got "${value}"`, 'manifest-url');
}

/** A CPython version asked for, as its pinned recipe; empty: none asked for. */
export function parsePython(value: string | undefined): PythonRecipe | undefined {
  return value?.trim() ? selectPython(value) : undefined;
}

export function parseJobs(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const jobs = Number(value);
  if (!Number.isInteger(jobs) || jobs < 1) throw new PybinError(`--jobs needs a whole number ≥ 1, got "${value}"`, 'jobs');
  return jobs;
}

/** The smoke test's command line, split as a shell would (quotes, escapes), without running a shell. */
export function parseSmokeTest(value: string | undefined): string[] | undefined {
  if (value === undefined || value === '') return undefined;
  try {
    return splitArgs(value);
  } catch (error) {
    throw new PybinError(`--smoke-test: ${errorMessage(error)}`, 'smoke-test');
  }
}

/** A --sources file, read and checked now. */
export function parseSources(file: string | undefined): SourceOverrides | undefined {
  return file ? loadSourceOverrides(file) : undefined;
}

/** YAML 1.2 core booleans, as the runner's own getBooleanInput accepts them. */
export function parseBoolean(value: string, input: string): boolean {
  if (['true', 'True', 'TRUE'].includes(value)) return true;
  if (['false', 'False', 'FALSE'].includes(value)) return false;
  throw new PybinError(`${input} must be true or false, got "${value}"`, input);
}

export function parseChoice<T extends string>(value: string, choices: readonly T[], input: string): T {
  const choice = choices.find((c) => c === value);
  if (!choice) throw new PybinError(`${input} must be one of ${choices.join(', ')}, got "${value}"`, input);
  return choice;
}
