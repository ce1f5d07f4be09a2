#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { PybinError, errorMessage } from './errors.js';
import { createProgress, formatSeconds } from './progress.js';
import { ensureToolchain } from './toolchain/toolchain.js';
import { supportedVersions } from './toolchain/versions.js';

const USAGE = `Usage: pybin <command> [options]

Commands:
  toolchain   Fetch or build the static CPython for this machine; prints its directory.

pybin toolchain [--python VERSION] [--sources FILE] [--cache-dir DIR] [--jobs N]
  --python VERSION   CPython to build: 3.13 (its pinned release) or an exact pin
                     like 3.13.5. Default: the newest final pinned release.
                     Supported: ${supportedVersions()}
  --sources FILE     JSON mapping components ("cpython-3.13.5", "openssl-3.5.7", ...)
                     to { "url" | "path", "sha256" }, for mirrors and offline runners
                     (scripts/offline-sources.sh DIR writes DIR/sources.json).
  --cache-dir DIR    Where toolchains are cached by content.
                     Default: $PYBIN_CACHE_DIR, else $XDG_CACHE_HOME/pybin, else ~/.cache/pybin.
  --jobs N           Parallel compile jobs. Default: the number of CPUs.
  -h, --help         Show this help.

Progress goes to stderr; the last line on stdout is the result.`;

class UsageError extends PybinError {}

async function toolchainCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      python: { type: 'string' },
      sources: { type: 'string' },
      'cache-dir': { type: 'string' },
      jobs: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return void console.log(USAGE);
  const jobs = values.jobs === undefined ? undefined : Number(values.jobs);
  if (jobs !== undefined && (!Number.isInteger(jobs) || jobs < 1)) throw new UsageError(`--jobs needs a whole number ≥ 1, got "${values.jobs}"`);
  const started = Date.now();
  const progress = createProgress();
  const toolchain = await ensureToolchain({
    python: values.python,
    sourcesFile: values.sources,
    cacheDir: values['cache-dir'],
    jobs,
    progress,
  });
  progress.info(
    `CPython ${toolchain.metadata.python} for ${toolchain.metadata.target} ${toolchain.hit ? 'from the cache' : 'built'} in ${formatSeconds(Date.now() - started)}`,
  );
  console.log(toolchain.dir);
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'toolchain':
        await toolchainCommand(rest);
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
