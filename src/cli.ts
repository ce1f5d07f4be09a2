#!/usr/bin/env node
import { writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { formatInspection, inspectBinary } from './bundle/audit/inspect.js';
import { readBuildFlags, readInspectFlags, readToolchainFlags, UsageError } from './options/cli-flags.js';
import { PybinError, errorMessage } from './plumbing/errors.js';
import { formatSeconds } from './plumbing/format.js';
import { createProgress } from './plumbing/progress.js';
import { runPipeline } from './pipeline.js';
import { packToolchain } from './toolchain/pack.js';
import { ensureToolchain } from './toolchain/toolchain.js';
import { TARGETS } from './toolchain/targets.js';
import { defaultPython, supportedVersions, untestedWarning } from './toolchain/versions.js';

const USAGE = `Usage: pybin <command> [options]

Commands:
  build       Build a Python app into one executable; prints its path.
  toolchain   Build a CPython toolchain (or take it from the cache); prints its directory.
  inspect     Say what a pybin binary contains, read from its file (it is not run).

pybin build [APP_DIR] [options]
  APP_DIR                 The app: a pyproject project (installed with pip) or a plain
                          directory (copied). Default: the current directory.
  --entry E               pkg.module:function, a script path relative to APP_DIR, or a
                          [project.scripts] name. Default: the only [project.scripts]
                          entry, else APP_DIR/__main__.py.
  --name N                Binary name (written as N-<os>-<arch>). Default: the project's
                          name, else APP_DIR's name.
  --python V              CPython version (see below). Default: APP_DIR/.python-version,
                          else the newest tested release satisfying requires-python
                          (an untested one only if no tested one does), else ${defaultPython().version}.
  --target T              auto (default): a static musl binary (runs on any Linux) when the
                          app and its dependencies work without compiled modules, else
                          the glibc target, which loads manylinux wheels' compiled modules
                          from memory. Or a triple: ${TARGETS.map((t) => t.triple).join(', ')}.
                          aarch64-linux-musl also builds on x86_64 (cross-built; the
                          smoke test runs under qemu-aarch64-static when installed).
  --manylinux V           glibc targets: the newest glibc the binary may need, like 2_28
                          (wheels are picked to fit; the default takes the newest).
  --out DIR               Output dir: the binary, its SBOM (N-<os>-<arch>.cdx.json) and
                          license notices (.notices.txt); SHA256SUMS there is updated
                          (lines of files no longer there dropped). Default: dist.
  --requirements FILE     Also install these requirements (default: APP_DIR/requirements.txt
                          if present). pip's own configuration and PIP_* variables apply,
                          so --no-index/--find-links work for offline builds. Wheels
                          are picked for the target. A static binary leaves compiled
                          modules out (a dependency that needs them moves auto to glibc).
  --exclude GLOB          Leave matching files out (repeatable). Always left out: .git,
                          __pycache__, virtualenvs, node_modules and the output dir.
  --compression C         deflate (default) or store.
  --smoke-test "ARGS"     Run the binary with ARGS; a non-zero exit fails the build.
  --extract               Unpack the app once per content hash into ~/.cache/pybin/apps
                          at first run, for apps that need real files on disk.
  --no-sources            Ship only .pyc for the app (tracebacks lose source lines).
  --interpreter MODE      auto (default): a cached or prebuilt interpreter, else build one;
                          fetch: only a prebuilt one from --manifest-url; build: from source.
  --manifest-url URL      JSON manifest of prebuilt toolchains (see README).
  --sources FILE, --cache-dir DIR, --jobs N   As for pybin toolchain.

pybin toolchain [--python VERSION] [--target T] [--sources FILE] [--cache-dir DIR] [--jobs N] [--pack DIR --url-base URL]
  --python VERSION   CPython to build: 3.13 (its pinned release) or an exact pin
                     like 3.13.5. Default: ${defaultPython().version}, the newest final release
                     pybin's own tests build.
                     Supported: ${supportedVersions()}
                     Untested: pinned from upstream's published hashes but not built
                     by pybin's test suite; they work when asked for, with a warning.
  --target T         A triple (see build --target): this machine's architecture, or
                     aarch64-linux-musl cross-built on x86_64. Default: its static musl target.
  --sources FILE     JSON mapping components ("cpython-3.13.5", "openssl-3.5.7", ...)
                     to { "url" | "path", "sha256" }, for mirrors and offline runners
                     (scripts/offline-sources.sh DIR writes DIR/sources.json).
  --cache-dir DIR    Where toolchains are cached by content.
                     Default: $PYBIN_CACHE_DIR, else $XDG_CACHE_HOME/pybin, else ~/.cache/pybin.
  --jobs N           Parallel compile jobs. Default: the number of CPUs.
  --pack DIR         Also write the toolchain as a reproducible tar.gz into DIR, with its
                     manifest entry (<file>.json) for a manifest of prebuilt toolchains.
  --url-base URL     Where the tar.gz will be served from (for the manifest entry's url).
  -h, --help         Show this help.

pybin inspect BINARY [--json | --sbom | --notices]
  Reads BINARY without running it (any architecture's): Python version, target,
  glibc floor, entry point, build options, interpreter recipe, the sizes and
  sha256 of launcher and ZIP, and the components and Python distributions
  inside, with their versions and licenses.
  --json             The same as JSON.
  --sbom             The CycloneDX 1.6 SBOM inside, with the binary's hashes
                     (the same bytes as BINARY.cdx.json beside a fresh build).
  --notices          The license notices inside (as BINARY.notices.txt).

Progress goes to stderr; the last line on stdout is the result.`;

async function toolchainCommand(args: string[]): Promise<void> {
  const command = readToolchainFlags(args);
  if (command.help) return void console.log(USAGE);
  const started = Date.now();
  const progress = createProgress();
  const python = command.python ?? defaultPython();
  const untested = untestedWarning(python);
  if (untested) progress.warn(untested);
  const { target, sources, cacheDir, jobs } = command;
  const toolchain = await ensureToolchain({ python, target, sources, cacheDir, jobs, progress });
  progress.info(
    `CPython ${toolchain.metadata.python} for ${toolchain.target.triple} ${toolchain.hit ? 'from the cache' : 'built'} in ${formatSeconds(Date.now() - started)}`,
  );
  if (command.pack) {
    const { dir, urlBase } = command.pack;
    const entry = await progress.stage('pack the toolchain', () => packToolchain(toolchain.dir, dir, urlBase));
    const entryFile = join(dir, `${basename(new URL(entry.url).pathname, '.tar.gz')}.json`);
    writeFileSync(entryFile, `${JSON.stringify(entry, null, 2)}\n`);
    progress.info(`packed ${entry.url} (${entry.size} bytes); manifest entry: ${entryFile}`);
  }
  console.log(toolchain.dir);
}

async function buildCommand(args: string[]): Promise<void> {
  const command = readBuildFlags(args);
  if (command.help) return void console.log(USAGE);
  const started = Date.now();
  const progress = createProgress();
  const result = await runPipeline(command.options, { progress });
  progress.info(
    result.requiresGlibc
      ? `target ${result.toolchain.target.triple}: runs on Linux with glibc ${result.requiresGlibc.version} or newer`
      : `target ${result.toolchain.target.triple}: a static binary, runs on any Linux ${result.arch}`,
  );
  if (result.smokeTest) progress.info(`smoke test passed: ${result.smokeTest.output.split('\n')[0] ?? ''}`);
  progress.info(`built in ${formatSeconds(Date.now() - started)}`);
  console.log(result.binary);
}

function inspectCommand(args: string[]): void {
  const command = readInspectFlags(args);
  if (command.help) return void console.log(USAGE);
  const { inspection, sbom, notices } = inspectBinary(command.binary);
  const views = { text: () => formatInspection(inspection), json: () => `${JSON.stringify(inspection, null, 2)}\n`, sbom: () => sbom, notices: () => notices };
  process.stdout.write(views[command.view]());
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'toolchain':
        await toolchainCommand(rest);
        return 0;
      case 'build':
        await buildCommand(rest);
        return 0;
      case 'inspect':
        inspectCommand(rest);
        return 0;
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        console.log(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command "${command}"; run \`pybin --help\``);
    }
  } catch (error) {
    if (error instanceof PybinError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`pybin: error: ${errorMessage(error)}\n`);
      return error instanceof UsageError || !(error instanceof PybinError) ? 2 : 1;
    }
    process.stderr.write(`pybin: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 70;
  }
}

process.exitCode = await main(process.argv.slice(2));
