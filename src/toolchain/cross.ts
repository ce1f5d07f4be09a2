import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PybinError } from '../plumbing/errors.js';
import { findOnPath } from './compiler.js';
import type { CrossBuild, Target } from './targets.js';

/** The build host's architecture as targets name it (x86_64, aarch64), from Node's name for it. */
export function buildArch(nodeArch: string = process.arch): string {
  return ({ x64: 'x86_64', arm64: 'aarch64' } as Record<string, string>)[nodeArch] ?? nodeArch;
}

/** The target's architecture is the build host's: its programs run here. */
export function isNative(target: Target, hostArch: string = buildArch()): boolean {
  return hostArch === target.arch;
}

/**
 * How this build host builds the target: undefined for a native build, the
 * target's cross build when it has one from here, else a clear refusal.
 */
export function crossBuildFor(target: Target, hostArch: string = buildArch()): CrossBuild | undefined {
  if (isNative(target, hostArch)) return undefined;
  const host = hostArch;
  const cross = target.cross;
  if (!cross || !cross.from.includes(hostArch)) {
    throw new PybinError(`target ${target.triple} cannot be built on ${host}: build it on a ${target.arch} machine`, 'target');
  }
  if (cross.unsupported) throw new PybinError(`target ${target.triple} cannot be cross-built on ${host} yet: ${cross.unsupported}`, 'target');
  return cross;
}

/** What of a cross build changes the bytes built (not the hints shown when a tool is missing): for cache keys. */
export function crossBuildKey(cross: CrossBuild) {
  return { compiler: cross.compiler.command, binutils: cross.binutilsPrefix, host: cross.configureHost, configSite: cross.configSite };
}

/**
 * Build tools call `ar`, `ranlib`, `strip` by these names (bzip2's and
 * zstd's Makefiles, OpenSSL, the launcher's strip); in a cross build they
 * must be the target's, so the tools dir that holds `cc` gets them too.
 */
const BINUTILS = ['ar', 'ranlib', 'strip', 'nm', 'objcopy', 'objdump', 'readelf'];

export function writeCrossTools(toolsDir: string, cross: CrossBuild, path: string = process.env.PATH ?? ''): void {
  for (const tool of BINUTILS) {
    const real = findOnPath(`${cross.binutilsPrefix}${tool}`, path);
    if (!real) {
      throw new PybinError(`no ${cross.binutilsPrefix}${tool} on PATH for the cross build: ${cross.compiler.installHint}`, 'compiler');
    }
    const wrapper = join(toolsDir, tool);
    writeFileSync(wrapper, `#!/bin/sh\nexec "${real}" "$@"\n`);
    chmodSync(wrapper, 0o755);
  }
}

/** The CONFIG_SITE file of a cross build's configure runs. */
export function writeConfigSite(file: string, cross: CrossBuild): string {
  const lines = Object.entries(cross.configSite).map(([name, value]) => `${name}=${value}`);
  writeFileSync(file, `# autoconf answers for ${cross.configureHost}, which configure cannot test when cross compiling\n${lines.join('\n')}\n`);
  return file;
}

/** autoconf's name for the build machine. */
export function buildTriple(hostArch: string = buildArch()): string {
  return `${hostArch}-pc-linux-gnu`;
}

/**
 * How to run the target's programs here: directly when native, through the
 * emulator when the target has one installed, else why not.
 */
export type TargetRunner = { argv: string[] } | { missing: string };

export function targetRunner(target: Target, hostArch: string = buildArch(), path: string = process.env.PATH ?? ''): TargetRunner {
  if (isNative(target, hostArch)) return { argv: [] };
  const emulator = target.cross?.emulator;
  if (!emulator) return { missing: `no emulator is known for ${target.arch}` };
  const found = findOnPath(emulator.command, path);
  return found ? { argv: [found] } : { missing: `${emulator.command} is not installed (${emulator.installHint})` };
}
