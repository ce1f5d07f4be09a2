import type { Target } from '../toolchain/targets.js';

/** The wheel platform tags pip may install for a target, best first. */
export interface WheelPolicy {
  platforms: string[];
  /**
   * The target cannot load compiled modules (a static interpreter has no
   * dlopen): a platform wheel is only a carrier for its pure-Python parts, so
   * a pure wheel of the same version is preferred to it.
   */
  pureFirst: boolean;
}

/** musl 1.2 (Debian's musl-tools, Alpine 3.13+) runs musllinux_1_0 to _1_2 wheels. */
const MUSLLINUX_MINORS = [2, 1, 0];
/** manylinux_2_5 up to a glibc newer than any wheel on PyPI today. */
const MANYLINUX_GLIBC_MINORS = Array.from({ length: 60 - 5 + 1 }, (_, i) => 60 - i);

/**
 * For the static musl targets every Linux wheel of the architecture is
 * acceptable: their compiled modules are dropped at build time, and the
 * distribution goes in only if it works without them (see native.ts). The
 * glibc targets load compiled modules, so they take manylinux wheels (up to
 * `glibcCap`, "2.28") and wheels built here (`linux_<arch>`), never musllinux.
 */
export function wheelPolicy(target: Target, glibcCap?: string): WheelPolicy {
  const { arch } = target;
  const capMinor = glibcCap ? Number(glibcCap.split('.')[1]) : Infinity;
  const legacy: [string, number][] = [[`manylinux2014_${arch}`, 17], ...(arch === 'x86_64' ? ([['manylinux2010_x86_64', 12], ['manylinux1_x86_64', 5]] as [string, number][]) : [])];
  const manylinux = [
    ...MANYLINUX_GLIBC_MINORS.filter((minor) => minor <= capMinor).map((minor) => `manylinux_2_${minor}_${arch}`),
    ...legacy.filter(([, minor]) => minor <= capMinor).map(([tag]) => tag),
  ];
  if (target.libc === 'glibc') return { platforms: [...manylinux, `linux_${arch}`], pureFirst: false };
  const musllinux = MUSLLINUX_MINORS.map((minor) => `musllinux_1_${minor}_${arch}`);
  return { platforms: [...musllinux, `linux_${arch}`, ...manylinux], pureFirst: true };
}
