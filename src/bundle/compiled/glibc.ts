import { existsSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { compareGlibc, glibcFloor, readElfDynamic, type ElfDynamicInfo } from '../../plumbing/elf.js';
import { PybinError, errorMessage } from '../../plumbing/errors.js';
import { MANYLINUX_SYSTEM_LIBRARIES } from '../../toolchain/targets.js';
import { moduleOf, type CompiledDist } from './static.js';

/**
 * What the glibc runtime (src/runtime/_pybin_native.py) needs to load the
 * compiled files from the ZIP: which module each extension provides, and
 * which vendored libraries (auditwheel's `<dist>.libs/`) must be loaded
 * before each file, since their `$ORIGIN` RPATH cannot find them in memory.
 */
export interface CompiledIndex {
  /** Dotted module name -> ZIP member of its extension. */
  extensions: Record<string, string>;
  /** ZIP member -> the vendored members to load before it, dependencies first. */
  preload: Record<string, string[]>;
  /** ZIP member -> libraries it needs that are neither in the binary nor on every manylinux system. */
  unresolved: Record<string, string[]>;
  /**
   * Libraries that need each other (pygame's freetype and harfbuzz): ZIP
   * member -> [file offset, length, member] of each name it needs of another
   * member of its cycle. No order loads such a set one library at a time, and
   * glibc cannot find a name in memory: the runtime writes the other
   * member's /proc/self/fd path over the name in its copy, so one dlopen
   * maps the whole cycle, as from disk.
   */
  links: Record<string, [number, number, string][]>;
}

/**
 * A file Python imports as an extension module: word characters down to
 * `name[.tag].so`. A name may start with a digit: C's PyImport_ImportModule
 * takes any name, and mypyc's shared runtime is a top-level
 * `<hex digest>__mypyc` that the compiled modules import.
 */
const EXTENSION = /^(?:\w+\/)*\w+(?:\.(?:cpython-\d+\w*-[\w-]+|abi3))?\.so$/;

export function isExtensionModule(member: string): boolean {
  return EXTENSION.test(member);
}

/**
 * A library may be named like a module (`pkg/libfoo.so` for ctypes): an
 * extension is one that also exports its init function. The name sits in the
 * dynamic string table, NUL-terminated.
 */
function exportsInit(member: string, data: Buffer): boolean {
  const name = moduleOf(member).split('.').at(-1)!;
  return data.includes(`PyInit_${name}\0`);
}

/** Index every compiled file of the stage; `read` gives a member's bytes. */
export function indexCompiled(dists: Pick<CompiledDist, 'files'>[], read: (member: string) => Buffer): CompiledIndex {
  const members = dists.flatMap((d) => d.files).sort();
  const bytes = new Map(members.map((m) => [m, read(m)]));
  const elf = new Map<string, ElfDynamicInfo>(members.map((m) => [m, readShared(m, bytes.get(m)!)]));
  const extensions = new Set(members.filter((m) => isExtensionModule(m) && exportsInit(m, bytes.get(m)!)));
  // A DT_NEEDED name is matched by SONAME (what glibc compares), else by file name.
  const libraries = new Map<string, string>();
  for (const member of members.filter((m) => !extensions.has(m))) {
    libraries.set(posix.basename(member), member);
    const soname = elf.get(member)!.soname;
    if (soname) libraries.set(soname, member);
  }

  const needs = (from: string) => elf.get(from)!.needed.flatMap((name) => libraries.get(name) ?? []);
  const cycleOf = stronglyConnected(members, needs);
  const index: CompiledIndex = { extensions: {}, preload: {}, unresolved: {}, links: {} };
  for (const member of members) {
    const linked = elf.get(member)!.libraryNames.flatMap(({ name, offset }): [number, number, string][] => {
      const target = libraries.get(name);
      return target !== undefined && target !== member && cycleOf.get(target) === cycleOf.get(member) ? [[offset, Buffer.byteLength(name), target]] : [];
    });
    if (linked.length > 0) index.links[member] = linked;
  }
  for (const member of members) {
    if (extensions.has(member)) index.extensions[moduleOf(member)] = member;
    const order: string[] = [];
    const missing = new Set<string>();
    const visit = (from: string, seen: Set<string>) => {
      for (const name of elf.get(from)!.needed) {
        const found = libraries.get(name);
        if (!found) {
          if (!MANYLINUX_SYSTEM_LIBRARIES.includes(name)) missing.add(name);
        } else if (!seen.has(found)) {
          seen.add(found);
          visit(found, seen);
          order.push(found);
        }
      }
    };
    visit(member, new Set([member]));
    if (order.length > 0) index.preload[member] = order;
    if (missing.size > 0) index.unresolved[member] = [...missing].sort();
  }
  return index;
}

/** Tarjan's strongly connected components: node -> the number of its component (nodes on one cycle share it). */
function stronglyConnected(nodes: string[], edges: (node: string) => string[]): Map<string, number> {
  const component = new Map<string, number>();
  const low = new Map<string, number>();
  const order = new Map<string, number>();
  const stack: string[] = [];
  let counter = 0;
  let components = 0;
  const visit = (node: string) => {
    order.set(node, counter);
    low.set(node, counter++);
    stack.push(node);
    for (const next of edges(node)) {
      if (!order.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (!component.has(next)) {
        low.set(node, Math.min(low.get(node)!, order.get(next)!));
      }
    }
    if (low.get(node) === order.get(node)) {
      for (let top = stack.pop(); ; top = stack.pop()) {
        component.set(top!, components);
        if (top === node) break;
      }
      components++;
    }
  };
  for (const node of nodes) if (!order.has(node)) visit(node);
  return component;
}

function readShared(member: string, data: Buffer): ElfDynamicInfo {
  try {
    return readElfDynamic(data);
  } catch (error) {
    throw new PybinError(`${member} is not a shared object this target can load: ${errorMessage(error)}`, 'requirements');
  }
}

/** The oldest glibc a binary runs on, and what decided it. */
export interface GlibcRequirement {
  version: string;
  decidedBy: string;
}

const LEGACY_MANYLINUX: Record<string, string> = { manylinux1: '2.5', manylinux2010: '2.12', manylinux2014: '2.17' };

/**
 * The glibc a wheel promises to run on: the oldest of its manylinux tags (a
 * wheel's tags are aliases of one build), undefined when it has none (built
 * here from an sdist: `linux_x86_64`).
 */
export function wheelGlibc(tags: string[]): string | undefined {
  const versions = tags.flatMap((tag) => {
    const platform = tag.split('-')[2] ?? '';
    return platform.split('.').flatMap((p) => {
      const modern = /^manylinux_(\d+)_(\d+)_/.exec(p);
      if (modern) return [`${modern[1]}.${modern[2]}`];
      const legacy = /^(manylinux\d+)_/.exec(p)?.[1];
      return legacy && LEGACY_MANYLINUX[legacy] ? [LEGACY_MANYLINUX[legacy]] : [];
    });
  });
  return versions.sort(compareGlibc)[0];
}

/** The `Tag:` lines of a .dist-info/WHEEL file. */
export function wheelTags(infoDir: string): string[] {
  const file = join(infoDir, 'WHEEL');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').flatMap((line) => (line.startsWith('Tag:') ? [line.slice(4).trim()] : []));
}

/**
 * The binary's glibc floor: the launcher's, raised by each distribution's
 * wheel tag, or, for a wheel without a manylinux tag, by the GLIBC symbol
 * versions its compiled files need.
 */
export function requiredGlibc(
  launcherFloor: string,
  dists: { name: string; tags: string[]; files: Buffer[] }[],
): GlibcRequirement {
  let required: GlibcRequirement = { version: launcherFloor, decidedBy: 'the launcher' };
  for (const dist of dists) {
    const tagged = wheelGlibc(dist.tags);
    const floor = tagged ?? dist.files.map((f) => glibcFloor(readElfDynamic(f))).filter((v) => v !== undefined).sort(compareGlibc).at(-1);
    if (floor && compareGlibc(floor, required.version) > 0) {
      required = { version: floor, decidedBy: tagged ? `${dist.name} (a manylinux_${floor.replace('.', '_')} wheel)` : `${dist.name} (its compiled files)` };
    }
  }
  return required;
}
