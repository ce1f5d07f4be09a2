import { accessSync, constants, existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { ensureWritableDir } from '../plumbing/atomic-dir.js';
import { PybinError } from '../plumbing/errors.js';
import type { PythonRecipe } from '../toolchain/recipes.js';
import type { SourceOverrides } from '../toolchain/sources.js';
import { choosePython } from '../toolchain/versions.js';
import { AUDIT_DIR } from './audit/audit.js';
import { listAppTree, type AppFile } from './copy-app.js';
import { resolveEntry, type Entry } from './entry.js';
import { readProject, type Project } from './project.js';
import type { TargetRequest } from './target.js';
import type { Compression } from './zip.js';

/** A build's options, each already parsed into its type by the face that read it (CLI flags or Action inputs). */
export interface BundleOptions {
  appDir: string;
  entry?: string;
  name?: string;
  /** --python: a pinned recipe; none lets the app choose (.python-version, requires-python). */
  python?: PythonRecipe;
  target: TargetRequest;
  outDir: string;
  requirements?: string;
  excludes: string[];
  compression: Compression;
  /** The smoke test's arguments, split as a shell would. */
  smokeTest?: string[];
  extract: boolean;
  keepSources: boolean;
  /** Source tarballs from elsewhere than the recipes' URLs (--sources). */
  sources?: SourceOverrides;
  cacheDir?: string;
  jobs?: number;
  /** The name when --name and pyproject give none (the Action passes the repository's); else the app dir's. */
  fallbackName?: string;
}

/** A build whose inputs are all checked against the app dir: made before any slow work starts. */
export interface BundlePlan {
  options: BundleOptions;
  appDir: string;
  project: Project;
  /** A plain app's files, walked (and their symlinks checked) at planning; none for a pyproject app, which pip installs. */
  appFiles?: AppFile[];
  name: string;
  entry: Entry;
  requirements?: string;
  outDir: string;
  binary: string;
  os: string;
  arch: string;
  /** The one place the CPython version is chosen. */
  python: PythonRecipe;
}

/** What a binary's name may be: a plain file name, which is also a safe word in install.sh. */
export const BINARY_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Check every build input against the app dir, without building anything. */
export function planBundle(options: BundleOptions): BundlePlan {
  const appDir = resolve(options.appDir);
  if (!existsSync(appDir) || !statSync(appDir).isDirectory()) {
    throw new PybinError(`app dir ${options.appDir} does not exist or is not a directory`, 'app');
  }
  const project = readProject(appDir);
  const [name, nameFrom] = options.name
    ? [options.name, '--name']
    : project.name
      ? [project.name, 'the [project] name in pyproject.toml']
      : options.fallbackName
        ? [options.fallbackName, 'the repository name']
        : [basename(appDir), 'the app dir\'s name'];
  if (!BINARY_NAME.test(name)) {
    const fix = nameFrom === '--name' ? '' : '; give the binary a name with --name';
    throw new PybinError(`${nameFrom} "${name}" must be a plain file name (letters, digits, . _ -), without a path separator${fix}`, 'name');
  }
  if (project.installable && options.excludes.length > 0) {
    throw new PybinError(
      `--exclude applies to plain app dirs, and ${options.appDir} is a pyproject project, which pip installs from the files its build backend lists: ` +
        'leave files out in the backend\'s configuration, or drop --exclude',
      'exclude',
    );
  }
  const entry = resolveEntry(options.entry, project.scripts, (p) => existsSync(join(appDir, p)) && statSync(join(appDir, p)).isFile());
  const requirements = options.requirements ?? (existsSync(join(appDir, 'requirements.txt')) ? join(appDir, 'requirements.txt') : undefined);
  if (requirements) checkReadableFile(requirements, '--requirements', 'requirements');
  const outDir = resolve(options.outDir);
  if (existsSync(outDir) && realpathSync(outDir) === realpathSync(appDir)) {
    throw new PybinError(`--out ${options.outDir} is the app dir itself, whose files the build copies: choose another dir, like ${join(options.appDir, 'dist')}`, 'out');
  }
  ensureWritableDir(outDir, 'output dir', 'out');
  // musl and glibc binaries of one architecture share a name: a job builds one of them.
  const { os, arch } = options.target.initial;
  const binary = join(outDir, `${name}-${os}-${arch}`);
  const python = choosePython(options.python, pythonVersionFile(appDir), project.requiresPython);
  const appFiles = project.installable ? undefined : listAppTree(appDir, { excludes: options.excludes, skipPaths: [outDir] });
  const inAuditDir = appFiles?.find((f) => f.rel.startsWith(AUDIT_DIR));
  if (inAuditDir) {
    throw new PybinError(`the app's ${inAuditDir.rel} is inside ${AUDIT_DIR}, where pybin keeps the binary's SBOM and notices: rename it, or leave it out with --exclude '${AUDIT_DIR}**'`, 'app');
  }
  return { options, appDir, project, appFiles, name, entry, requirements, outDir, binary, os, arch, python };
}

/** `.python-version` in the app dir, if there is one. */
function pythonVersionFile(appDir: string): string | undefined {
  const file = join(appDir, '.python-version');
  if (!existsSync(file)) return undefined;
  checkReadableFile(file, 'the app\'s .python-version', 'python-version');
  return readFileSync(file, 'utf8').trim().split('\n')[0];
}

/** A file pybin will read later: refused now, not after minutes of work, when it is missing, a directory or unreadable. */
function checkReadableFile(file: string, what: string, input: string): void {
  if (!existsSync(file)) throw new PybinError(`${what} ${file} does not exist`, input);
  if (!statSync(file).isFile()) throw new PybinError(`${what} ${file} is not a file`, input);
  try {
    accessSync(file, constants.R_OK);
  } catch {
    throw new PybinError(`${what} ${file} is not readable by this user`, input);
  }
}
