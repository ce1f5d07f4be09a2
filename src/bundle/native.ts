import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { PybinError } from '../plumbing/errors.js';
import type { Toolchain } from '../toolchain/toolchain.js';
import { outputOf, runToolchainPython } from './python.js';
import { listFiles } from '../plumbing/tree.js';

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

interface Dist {
  name: string;
  files: string[];
}

/** PEP 503 normalisation, so "PyYAML" and "pyyaml" are one name. */
function normalize(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** Which installed distribution owns each file, from the .dist-info/RECORD files. */
function owners(stage: string): Map<string, string> {
  const owner = new Map<string, string>();
  for (const info of readdirSync(stage).filter((d) => d.endsWith('.dist-info'))) {
    const record = join(stage, info, 'RECORD');
    if (!existsSync(record)) continue;
    const dist = normalize(info.replace(/-[^-]+\.dist-info$/, ''));
    for (const line of readFileSync(record, 'utf8').split('\n')) {
      const path = line.split(',')[0];
      if (path) owner.set(path, dist);
    }
  }
  return owner;
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

const IMPORT_CHECK = `
import importlib, json, sys
stage, modules = sys.argv[1], json.loads(sys.argv[2])
sys.path.insert(0, stage)
failed = {}
for name in modules:
    try:
        importlib.import_module(name)
    except BaseException as error:
        failed[name] = f"{type(error).__name__}: {error}"
print("\\n" + json.dumps(failed))
`;

/**
 * A static interpreter cannot load compiled modules: drop them all, then judge
 * each distribution that had some by behaviour. One whose packages still
 * import goes in without them, with a warning saying what is lost; the others
 * are refused, naming the distribution and its files.
 */
export async function dropNativeExtensions(toolchain: Toolchain, stage: string, warn: (message: string) => void): Promise<void> {
  const native = listFiles(stage).filter((f) => NATIVE.test(f));
  if (native.length === 0) return;
  const owner = owners(stage);
  const dists = new Map<string, Dist>();
  for (const file of native) {
    const name = owner.get(file) ?? 'the app itself';
    if (!dists.has(name)) dists.set(name, { name, files: [] });
    dists.get(name)!.files.push(file);
    rmSync(join(stage, file));
  }

  const refused: string[] = [];
  for (const dist of dists.values()) {
    const modules = importsToCheck(dist.files);
    const result = await runToolchainPython(toolchain, ['-I', '-c', IMPORT_CHECK, stage, JSON.stringify(modules)]);
    const failed = parseFailures(result.stdout);
    if (result.status !== 0 || failed === undefined) {
      refused.push(describe(dist, `the import check did not finish: ${outputOf(result).split('\n').at(-1) ?? ''}`));
    } else if (Object.keys(failed).length > 0) {
      refused.push(describe(dist, Object.entries(failed).map(([m, e]) => `import ${m}: ${e}`).join('; ')));
    } else {
      const lost = KNOWN_LOSSES[dist.name] ?? 'their speed-ups';
      const names = dist.files.map(moduleOf).filter((m) => !/__mypyc$/.test(m));
      warn(`${dist.name}: works without its compiled modules (${names.join(', ')}), which a static binary cannot load; lost: ${lost}`);
    }
  }
  if (refused.length > 0) {
    throw new PybinError(
      `these distributions need compiled extension modules, which a static pybin binary cannot load:\n${refused.join('\n')}\n` +
        'Use a pure-Python alternative or version of them (many projects publish a pure wheel or an environment ' +
        'variable to skip their C speedups), or drop the dependency.',
      'requirements',
    );
  }
}

function parseFailures(output: string): Record<string, string> | undefined {
  try {
    return JSON.parse(output.trim().split('\n').at(-1) ?? '') as Record<string, string>;
  } catch {
    return undefined;
  }
}

function describe(dist: Dist, why: string): string {
  const shown = dist.files.slice(0, 5).join(', ') + (dist.files.length > 5 ? `, and ${dist.files.length - 5} more` : '');
  return `  ${dist.name}: ${shown}\n    without them: ${why}`;
}
