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
  /**
   * musl: one static executable that cannot dlopen (pure-Python apps).
   * glibc: linked against the system's glibc with CPython's C API exported,
   * so that manylinux wheels' compiled modules load from memory.
   */
  libc: 'musl' | 'glibc';
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
  /**
   * The launcher exports CPython's C API (all of libpython, kept whole) so
   * that compiled extension modules can be dlopened into it.
   */
  exportsCApi: boolean;
  /** Extra environment for CPython's configure and make. */
  cpythonEnv?: Record<string, string>;
}

const GCC_HINT = 'install gcc: `sudo apt-get install gcc` on Debian/Ubuntu, `dnf install gcc` on Fedora/RHEL';

const MUSL_HINT =
  'install musl-gcc: `sudo apt-get install musl-tools` on Debian/Ubuntu, `apk add musl-dev gcc` on Alpine';

/**
 * glibc keeps libm (and, before 2.34, libdl and libpthread) out of libc, so
 * configure's link probes of our static libraries (sqlite needs libm, OpenSSL
 * libdl and threads) fail unless these come after them on every link line;
 * pkg-config's static link lines name them too.
 */
const GLIBC_CPYTHON_ENV = { LIBS: '-lm -ldl -lpthread', PKG_CONFIG: 'pkg-config --static' };

/**
 * Each function and object in its own section, so that the launcher's link
 * (--gc-sections) drops what nothing calls, inside the objects it keeps.
 */
const SIZE_CFLAGS = ['-O2', '-fPIC', '-ffunction-sections', '-fdata-sections'];

/** A static musl target: musl-gcc, everything linked in, no dynamic loading. */
function muslTarget(arch: string): Target {
  return {
    triple: `${arch}-linux-musl`,
    os: 'linux',
    arch,
    libc: 'musl',
    compiler: { command: 'musl-gcc', installHint: MUSL_HINT },
    opensslTarget: `linux-${arch}`,
    // Nothing in a static musl binary unwinds the stack (no C++, no
    // backtrace()): no unwind tables, 1.3 MB less.
    cflags: [...SIZE_CFLAGS, '-fno-asynchronous-unwind-tables', '-fno-unwind-tables'],
    ldflags: ['-static'],
    // musl gives threads 128 KiB of stack unless the binary asks for more.
    launcherLdflags: ['-Wl,-z,stack-size=1048576', '-Wl,--gc-sections'],
    exportsCApi: false,
  };
}

/**
 * A glibc target: the host's gcc, glibc linked dynamically (it cannot be
 * linked statically and still dlopen), every other library a static archive
 * of ours.
 */
function glibcTarget(arch: string): Target {
  return {
    triple: `${arch}-linux-gnu`,
    os: 'linux',
    arch,
    libc: 'glibc',
    compiler: { command: 'gcc', installHint: GCC_HINT },
    opensslTarget: `linux-${arch}`,
    // Unwind tables stay: a wheel's C++ code may throw through its own frames.
    cflags: SIZE_CFLAGS,
    ldflags: [],
    launcherLdflags: ['-Wl,--gc-sections'],
    exportsCApi: true,
    cpythonEnv: GLIBC_CPYTHON_ENV,
  };
}

export const TARGETS: readonly Target[] = [muslTarget('x86_64'), muslTarget('aarch64'), glibcTarget('x86_64'), glibcTarget('aarch64')];

/**
 * The shared libraries a glibc binary or a manylinux wheel may expect on
 * every system (the manylinux policy's allowlist, PEP 599/600): a launcher
 * needing anything else is a build error.
 */
export const MANYLINUX_SYSTEM_LIBRARIES = [
  'libc.so.6', 'libm.so.6', 'libdl.so.2', 'librt.so.1', 'libpthread.so.0', 'libutil.so.1', 'libresolv.so.2',
  'libnsl.so.1', 'libcrypt.so.1', 'libgcc_s.so.1', 'libstdc++.so.6', 'libz.so.1', 'libexpat.so.1',
  'libX11.so.6', 'libXext.so.6', 'libXrender.so.1', 'libICE.so.6', 'libSM.so.6', 'libGL.so.1',
  'libgobject-2.0.so.0', 'libgthread-2.0.so.0', 'libglib-2.0.so.0',
  'ld-linux-x86-64.so.2', 'ld-linux-aarch64.so.1',
];

/** The target of the machine we run on, with the given C library: we build natively, never cross. */
export function hostTarget(libc: Target['libc'] = 'musl', platform: string = process.platform, arch: string = process.arch): Target {
  const wanted = platform === 'linux' ? { x64: 'x86_64', arm64: 'aarch64' }[arch] : undefined;
  const target = TARGETS.find((t) => t.os === 'linux' && t.arch === wanted && t.libc === libc);
  if (!target) {
    throw new PybinError(
      `pybin cannot build an interpreter on ${platform}/${arch} yet; supported build hosts: ` +
        TARGETS.map((t) => t.triple).join(', '),
    );
  }
  return target;
}

/** A target by its triple, or a clear error listing the known ones. */
export function targetByTriple(triple: string, input = 'target'): Target {
  const target = TARGETS.find((t) => t.triple === triple);
  if (!target) throw new PybinError(`${input} must be one of ${TARGETS.map((t) => t.triple).join(', ')}, got "${triple}"`, input);
  return target;
}
