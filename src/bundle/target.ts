import { PybinError } from '../plumbing/errors.js';
import { crossBuildFor } from '../toolchain/cross.js';
import { hostTarget, targetByTriple, TARGETS, type Target } from '../toolchain/targets.js';

/**
 * Which target a build asks for: `auto` starts from the static musl target
 * and moves to the glibc one of the same architecture when a dependency
 * needs its compiled modules; a triple is taken as it is.
 */
export interface TargetRequest {
  auto: boolean;
  /** The target the build starts with (for auto: the host's musl). */
  initial: Target;
  /** --manylinux: the newest glibc the binary may require, as "2.28". */
  glibcCap?: string;
}

/** --target and --manylinux, checked before anything is built. */
export function parseTargetRequest(value: string | undefined, manylinux: string | undefined, host = hostTarget()): TargetRequest {
  const glibcCap = manylinux === undefined || manylinux === '' ? undefined : parseManylinux(manylinux);
  if (value === undefined || value === '' || value === 'auto') return { auto: true, initial: host, glibcCap };
  const target = TARGETS.find((t) => t.triple === value);
  if (!target) throw new PybinError(`target must be auto or one of ${TARGETS.map((t) => t.triple).join(', ')}, got "${value}"`, 'target');
  crossBuildFor(target, host.arch); // another architecture: refused here, before any work, unless it can be cross-built
  if (glibcCap && target.libc !== 'glibc') {
    throw new PybinError(`manylinux ${manylinux} applies to glibc targets only, and target ${value} is static musl`, 'manylinux');
  }
  return { auto: false, initial: target, glibcCap };
}

/** The glibc target that stands in for a static one when compiled modules are needed. */
export function glibcTargetFor(target: Target): Target {
  return target.libc === 'glibc' ? target : targetByTriple(`${target.arch}-linux-gnu`);
}

/** Every target a build of this request may end on: auto starts static and may move to glibc. */
export function possibleTargets(request: TargetRequest): Target[] {
  return request.auto ? [request.initial, glibcTargetFor(request.initial)] : [request.initial];
}

/** "2_28", "2.28", "manylinux_2_28", and the legacy names manylinux2014/2010/1, as "2.28". */
export function parseManylinux(value: string): string {
  const legacy: Record<string, string> = { manylinux2014: '2.17', manylinux2010: '2.12', manylinux1: '2.5' };
  if (legacy[value]) return legacy[value]!;
  const match = /^(?:manylinux_)?(\d+)[._](\d+)$/.exec(value);
  if (!match || match[1] !== '2') {
    throw new PybinError(`manylinux must be a glibc version like 2_28 (or manylinux2014), got "${value}"`, 'manylinux');
  }
  return `${match[1]}.${Number(match[2])}`;
}
