import { PybinError } from '../plumbing/errors.js';

/**
 * A platform we build interpreters for. Everything that differs between
 * platforms lives here as data, so that aarch64 and macOS are new entries,
 * not new code paths.
 */
export interface Target {
  /** e.g. x86_64-linux-musl: names toolchains and cache keys. */
  triple: string;
  os: 'linux' | 'macos';
  /** As it appears in binary names: x86_64, aarch64, arm64. */
  arch: string;
  libc: 'musl' | 'system';
  /** The C compiler command and how to get it when it is missing. */
  compiler: { command: string; installHint: string };
  /** OpenSSL's ./Configure target name. */
  opensslTarget: string;
  /** Flags for every library and CPython object file. */
  cflags: string[];
  /** Flags for linking configure probes, CPython and the launcher. */
  ldflags: string[];
  /** Extra flags for the launcher link only. */
  launcherLdflags: string[];
}

const MUSL_HINT =
  'install musl-gcc: `sudo apt-get install musl-tools` on Debian/Ubuntu, `apk add musl-dev gcc` on Alpine';

export const TARGETS: readonly Target[] = [
  {
    triple: 'x86_64-linux-musl',
    os: 'linux',
    arch: 'x86_64',
    libc: 'musl',
    compiler: { command: 'musl-gcc', installHint: MUSL_HINT },
    opensslTarget: 'linux-x86_64',
    cflags: ['-O2', '-fPIC'],
    ldflags: ['-static'],
    // musl gives threads 128 KiB of stack unless the binary asks for more.
    launcherLdflags: ['-Wl,-z,stack-size=1048576'],
  },
  {
    triple: 'aarch64-linux-musl',
    os: 'linux',
    arch: 'aarch64',
    libc: 'musl',
    compiler: { command: 'musl-gcc', installHint: MUSL_HINT },
    opensslTarget: 'linux-aarch64',
    cflags: ['-O2', '-fPIC'],
    ldflags: ['-static'],
    launcherLdflags: ['-Wl,-z,stack-size=1048576'],
  },
];

/** The target for the machine we run on: we build natively, never cross. */
export function hostTarget(platform: string = process.platform, arch: string = process.arch): Target {
  const wanted = platform === 'linux' ? { x64: 'x86_64', arm64: 'aarch64' }[arch] : undefined;
  const target = TARGETS.find((t) => t.os === 'linux' && t.arch === wanted);
  if (!target) {
    throw new PybinError(
      `pybin cannot build an interpreter on ${platform}/${arch} yet; supported build hosts: ` +
        TARGETS.map((t) => t.triple).join(', '),
    );
  }
  return target;
}
