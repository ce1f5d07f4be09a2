import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { distInfoDirs, distNameOf, recordPaths } from '../dist-info.js';
import { PybinError } from '../../plumbing/errors.js';
import type { Toolchain } from '../../toolchain/toolchain.js';
import { outputOf, runToolchainPython } from '../python.js';
import { listFiles } from '../../plumbing/tree.js';

const NATIVE = /\.(so|pyd|dylib)$|\.so\.\d/;

/** What a well-known distribution loses without its compiled modules (the generic wording covers the rest). */
const KNOWN_LOSSES: Record<string, string> = {
  pyyaml: 'the libyaml C loader and dumper (yaml.CLoader, yaml.CDumper)',
  markupsafe: 'the C implementation of escape()',
  'charset-normalizer': 'its mypyc-compiled detector (pure Python is slower)',
  black: 'its mypyc compilation (pure Python is about 2x slower)',
  isort: 'its compiled modules (pure Python is slower)',
  wcwidth: 'its C lookup tables (pure Python is slower)',
  msgpack: 'the C packer and unpacker',
  simplejson: 'the C speedups',
  aiohttp: 'the C HTTP parser',
  multidict: 'the C implementation',
  yarl: 'the C quoting helpers',
  frozenlist: 'the C implementation',
};

/** An installed distribution (or the app itself) and its compiled files. */
export interface CompiledDist {
  name: string;
  /** Its .dist-info dir in the stage; none for the app's own files. */
  infoDir?: string;
  files: string[];
  /** The Python modules it installed (.py files, by RECORD). */
  sources: string[];
}

export function isCompiledFile(file: string): boolean {
  return NATIVE.test(file);
}

/** The staged compiled files, grouped by the distribution whose .dist-info/RECORD lists them. */
export function compiledFilesByDist(stage: string): CompiledDist[] {
  const owner = new Map<string, { name: string; infoDir: string }>();
  const sources = new Map<string, string[]>();
  for (const infoDir of distInfoDirs(stage)) {
    const paths = recordPaths(stage, infoDir);
    if (paths.length === 0) continue;
    const name = distNameOf(infoDir);
    for (const path of paths) owner.set(path, { name, infoDir });
    sources.set(name, paths.filter((p) => p.endsWith('.py')));
  }
  const dists = new Map<string, CompiledDist>();
  for (const file of listFiles(stage).filter(isCompiledFile)) {
    const found = owner.get(file);
    const name = found?.name ?? 'the app itself';
    if (!dists.has(name)) dists.set(name, { name, infoDir: found?.infoDir, files: [], sources: sources.get(name) ?? [] });
    dists.get(name)!.files.push(file);
  }
  return [...dists.values()];
}

/** The dotted module a compiled file provides: pkg/_speedups.cpython-311-x86_64-linux-gnu.so -> pkg._speedups, pkg/__init__.*.so -> pkg. */
export function moduleOf(file: string): string {
  return file.replace(/\.[^/]*$/, '').replace(/\/__init__$/, '').split('/').join('.');
}

/**
 * What must still import for a distribution to count as working without its
 * compiled modules: the package around each one (which chooses between the
 * compiled and the pure implementation), or a top-level compiled module
 * itself. mypyc's shared runtime (`<hash>__mypyc`) is only ever imported by
 * the compiled modules.
 */
export function importsToCheck(files: string[]): string[] {
  const modules = files
    .map(moduleOf)
    .filter((m) => !/__mypyc$/.test(m))
    .map((m) => (m.includes('.') ? m.slice(0, m.lastIndexOf('.')) : m));
  return [...new Set(modules)].sort();
}

/**
 * The modules of a distribution that share a top-level package with its
 * compiled ones: each is imported in the check, to see whether losing a
 * compiled module breaks more than the module that imports it (a binding
 * such as yaml.cyaml, which yaml itself imports only if it can). Test suites
 * and __main__ modules are left alone: importing those does things.
 */
export function modulesToTry(dist: Pick<CompiledDist, 'files' | 'sources'>): string[] {
  const packages = new Set(dist.files.map((f) => moduleOf(f).split('.')[0]!));
  return dist.sources
    .filter((f) => packages.has(f.split('/')[0]!) && !/(^|\/)(tests?|testing|__main__\.py$|conftest\.py$)/.test(f))
    .map((f) => moduleOf(f))
    .filter((m) => /^[A-Za-z_][\w.]*$/.test(m))
    .sort();
}

const IMPORT_CHECK = `
import importlib, json, os, signal, sys, traceback
stage, parents, dropped, modules = sys.argv[1], *map(json.loads, sys.argv[2:5])
sys.argv = sys.argv[:1]
sys.path.insert(0, stage)

def too_slow(*_):
    raise TimeoutError("the import took over 20 s")

signal.signal(signal.SIGALRM, too_slow)

def attempt(name):
    signal.setitimer(signal.ITIMER_REAL, 20)
    try:
        importlib.import_module(name)
    except BaseException as error:
        return error
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)

def own_files(name):
    base = os.path.join(stage, *name.split("."))
    return {base + ".py", os.path.join(base, "__init__.py")}

failed, through = {}, {}
for name in parents:
    error = attempt(name)
    if error is not None:
        failed[name] = f"{type(error).__name__}: {error}"
for name in modules if not failed else []:
    error = attempt(name)
    if not isinstance(error, ImportError) or error.name not in dropped:
        continue
    frames = [f.filename for f in traceback.extract_tb(error.__traceback__) if not f.filename.startswith("<")]
    if frames and frames[-1] not in own_files(name):
        culprit = os.path.relpath(frames[-1], stage)
        through[name] = f"{type(error).__name__}: {error} (imported by {culprit})"
print("\\n" + json.dumps({"failed": failed, "through": through}), flush=True)
os._exit(0)  # not waiting for threads an imported module may have started
`;

/** What a static target makes of the compiled modules it cannot load. */
export interface StaticVerdict {
  /** Distributions that work without theirs, with a warning to give. */
  warnings: string[];
  /** Distributions that do not, each described with its files and import error. */
  needed: { name: string; description: string }[];
}

/**
 * A static interpreter cannot load compiled modules: drop them all, then judge
 * each distribution that had some by behaviour. One whose packages still
 * import, and whose other modules fail, if at all, only where they import a
 * compiled module themselves, can go in without them (the warning says what
 * is lost); the others need a target that loads compiled modules.
 */
export async function dropCompiledModules(toolchain: Toolchain, stage: string): Promise<StaticVerdict> {
  const verdict: StaticVerdict = { warnings: [], needed: [] };
  const dists = compiledFilesByDist(stage);
  for (const dist of dists) for (const file of dist.files) rmSync(join(stage, file));
  for (const dist of dists) {
    const dropped = dist.files.map(moduleOf);
    const args = [stage, JSON.stringify(importsToCheck(dist.files)), JSON.stringify(dropped), JSON.stringify(modulesToTry(dist))];
    const result = await runToolchainPython(toolchain, ['-I', '-c', IMPORT_CHECK, ...args]);
    const outcome = parseOutcome(result.stdout);
    const need = (why: string) => verdict.needed.push({ name: dist.name, description: describe(dist, why) });
    const failures = (found: Record<string, string>) => Object.entries(found).slice(0, 3).map(([m, e]) => `import ${m}: ${e}`).join('; ');
    if (result.status !== 0 || outcome === undefined) {
      need(`the import check did not finish: ${outputOf(result).split('\n').at(-1) ?? ''}`);
    } else if (Object.keys(outcome.failed).length > 0) {
      need(failures(outcome.failed));
    } else if (Object.keys(outcome.through).length > 0) {
      // Its package imports, but modules that only use other modules break: nothing falls back.
      need(failures(outcome.through));
    } else {
      const lost = KNOWN_LOSSES[dist.name] ?? 'their speed-ups';
      const names = dropped.filter((m) => !/__mypyc$/.test(m));
      verdict.warnings.push(`${dist.name}: works without its compiled modules (${names.join(', ')}), which a static binary cannot load; lost: ${lost}`);
    }
  }
  return verdict;
}

/**
 * The refusal of a static target whose dependencies need compiled modules;
 * `glibcElsewhere` names the machine the glibc target must be built on when it is not this one.
 */
export function staticRefusal(verdict: StaticVerdict, target: string, glibcTarget: string, glibcElsewhere?: string): PybinError {
  const use = glibcElsewhere ? `Use --target ${glibcTarget} on ${glibcElsewhere}` : `Use --target ${glibcTarget} (or auto, the default)`;
  return new PybinError(
    `target ${target} is a static binary, which cannot load compiled extension modules, and these distributions need theirs:\n` +
      `${verdict.needed.map((n) => n.description).join('\n')}\n` +
      `${use}, which loads them from memory; or a pure-Python alternative.`,
    'target',
  );
}

function parseOutcome(output: string): { failed: Record<string, string>; through: Record<string, string> } | undefined {
  try {
    return JSON.parse(output.trim().split('\n').at(-1) ?? '') as { failed: Record<string, string>; through: Record<string, string> };
  } catch {
    return undefined;
  }
}

function describe(dist: CompiledDist, why: string): string {
  const shown = dist.files.slice(0, 5).join(', ') + (dist.files.length > 5 ? `, and ${dist.files.length - 5} more` : '');
  return `  ${dist.name}: ${shown}\n    without them: ${why}`;
}
