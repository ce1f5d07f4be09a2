import { existsSync } from 'node:fs';
import { PybinError } from '../plumbing/errors.js';
import { runCommand } from '../plumbing/exec.js';
import { formatSeconds } from '../plumbing/format.js';
import type { Progress } from '../plumbing/progress.js';
import { findOnPath } from '../toolchain/compiler.js';
import { crossBuildFor } from '../toolchain/cross.js';
import type { HostTool, Target } from '../toolchain/targets.js';

/**
 * The build tools a toolchain build needs on the build host, as data (a cross
 * build's come with its target): what to look for (a command on PATH or a
 * file) and the Debian/Ubuntu package that brings it. The Action installs
 * what is missing (planHostTools, then installHostTools); the CLI leaves that
 * to the user (scripts/setup.sh).
 */

const BUILD_TOOLS: HostTool[] = [
  // musl-gcc runs gcc; musl-tools does not depend on it.
  { check: 'gcc', package: 'gcc' },
  { check: 'make', package: 'make' },
  { check: 'patch', package: 'patch' },
  { check: 'perl', package: 'perl' },
  { check: 'pkg-config', package: 'pkg-config' },
  { check: 'tclsh', package: 'tcl' },
  { check: 'autoreconf', package: 'autoconf' },
  { check: 'automake', package: 'automake' },
  { check: 'libtoolize', package: 'libtool' },
  { check: 'strip', package: 'binutils' },
  { check: 'xz', package: 'xz-utils' },
  { check: '/usr/include/linux/limits.h', package: 'linux-libc-dev' },
];

const NATIVE_COMPILER: Record<Target['libc'], HostTool> = {
  musl: { check: 'musl-gcc', package: 'musl-tools' },
  glibc: { check: 'gcc', package: 'gcc' },
};

/**
 * What building these targets here needs: a cross build also needs the
 * host's musl toolchain (its Python builds the target's) and the emulator
 * that runs the smoke test. With `build: false` (prebuilt interpreters only),
 * just that emulator.
 */
export function hostToolsFor(targets: Target[], host: Target, build = true, hostArch?: string): { tools: HostTool[]; architectures: string[] } {
  const tools: HostTool[] = build ? [...BUILD_TOOLS] : [];
  const architectures: string[] = [];
  for (const target of targets) {
    const cross = crossBuildFor(target, hostArch);
    if (!cross) {
      if (build) tools.push(NATIVE_COMPILER[target.libc]);
      continue;
    }
    if (!build) {
      tools.push(...cross.hostTools.filter((t) => t.check === cross.emulator.command));
      continue;
    }
    tools.push(NATIVE_COMPILER[host.libc], ...cross.hostTools);
    if (cross.debianArchitecture) architectures.push(cross.debianArchitecture);
  }
  const unique = [...new Map(tools.map((t) => [t.check, t])).values()];
  return { tools: unique, architectures: [...new Set(architectures)] };
}

/** What the runner offers, probed at the I/O edge (see probeHost). */
export interface HostFacts {
  present: (check: string) => boolean;
  foreignArchitectures: string[];
  root: boolean;
  sudo: boolean;
  apt: boolean;
}

export type HostToolsPlan =
  | { action: 'none' }
  | { action: 'install'; packages: string[]; commands: string[][]; addedArchitectures: string[]; undo: string[][] }
  | { action: 'refuse'; packages: string[]; message: string };

/** Which packages are missing and the commands that install them, or why they cannot be installed here. */
export function planHostTools(needed: { tools: HostTool[]; architectures: string[] }, facts: HostFacts): HostToolsPlan {
  const packages = [...new Set(needed.tools.filter((t) => !facts.present(t.check)).map((t) => t.package))];
  if (packages.length === 0) return { action: 'none' };
  const addedArchitectures = needed.architectures.filter(
    (arch) => !facts.foreignArchitectures.includes(arch) && packages.some((p) => p.endsWith(`:${arch}`)),
  );
  const manual = [
    ...addedArchitectures.map((arch) => `sudo dpkg --add-architecture ${arch}`),
    'sudo apt-get update',
    `sudo apt-get install ${packages.join(' ')}`,
  ].join(' && ');
  if (!facts.apt || (!facts.root && !facts.sudo)) {
    const why = facts.apt ? 'no sudo to run apt-get with' : 'no apt-get';
    return {
      action: 'refuse',
      packages,
      message: `the build needs these packages, which are missing: ${packages.join(', ')}; this runner has ${why}, so install them before this step (on Debian/Ubuntu: \`${manual}\`)`,
    };
  }
  const sudo = facts.root ? [] : ['sudo'];
  const commands = [
    ...addedArchitectures.map((arch) => [...sudo, 'dpkg', '--add-architecture', arch]),
    [...sudo, 'apt-get', 'update', '-qq'],
    [...sudo, 'env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', 'install', '-y', '-qq', '--no-install-recommends', ...packages],
  ];
  // A foreign architecture whose packages apt cannot find would break every later apt-get update of the job.
  const undo = addedArchitectures.map((arch) => [...sudo, 'dpkg', '--remove-architecture', arch]);
  return { action: 'install', packages, commands, addedArchitectures, undo };
}

/** The facts of this machine. */
export async function probeHost(env: NodeJS.ProcessEnv = process.env): Promise<HostFacts> {
  const path = `${env.PATH ?? ''}:/usr/sbin:/sbin`;
  const dpkg = findOnPath('dpkg', path);
  const foreign = dpkg ? (await runCommand([dpkg, '--print-foreign-architectures'], env)).stdout.split(/\s+/).filter(Boolean) : [];
  return {
    present: (check) => (check.startsWith('/') ? existsSync(check) : Boolean(findOnPath(check, env.PATH ?? ''))),
    foreignArchitectures: foreign,
    root: process.getuid?.() === 0,
    sudo: Boolean(findOnPath('sudo', path)),
    apt: Boolean(findOnPath('apt-get', path)) && Boolean(dpkg),
  };
}

/**
 * Install what a build of these targets needs and is missing, in one log
 * group with its time; nothing when all is there (so a second step of a job
 * costs nothing). Where apt-get cannot be run, a clear error names the packages.
 */
export async function installHostTools(targets: Target[], host: Target, build: boolean, progress: Progress, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const plan = planHostTools(hostToolsFor(targets, host, build), await probeHost(env));
  if (plan.action === 'none') return;
  if (plan.action === 'refuse') throw new PybinError(plan.message, 'target');
  const started = Date.now();
  await progress.stage(`install build tools: ${plan.packages.join(' ')}`, async () => {
    for (const argv of plan.commands) {
      const result = await runCommand(argv, env);
      if (result.status === 0) continue;
      for (const undo of plan.undo) await runCommand(undo, env);
      const output = `${result.stdout}${result.stderr}`.trim().split('\n').slice(-15).join('\n');
      const archNote = plan.addedArchitectures.length
        ? ` (${plan.addedArchitectures.join(', ')} packages must be in apt's sources: Ubuntu serves them from its ports archive, which a runner's sources may lack; or build on a runner of that architecture)`
        : '';
      throw new PybinError(`installing the build tools failed: \`${argv.join(' ')}\` exited ${result.status}${archNote}. Install ${plan.packages.join(', ')} before this step.\n${output}`, 'target');
    }
    progress.info(`installed ${plan.packages.join(', ')} in ${formatSeconds(Date.now() - started)}`);
  });
}
