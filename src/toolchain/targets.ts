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
  /** Flags for every library's object files. */
  cflags: string[];
  /** Flags for CPython's own object files, after configure's optimisation flags (see CPYTHON_CFLAGS). */
  cpythonCflags: string[];
  /** Flags for linking configure probes, CPython and the launcher. */
  ldflags: string[];
  /** Extra flags for the launcher link only. */
  launcherLdflags: string[];
  /**
   * The launcher exports CPython's C API (all of libpython, kept whole) so
   * that compiled extension modules can be dlopened into it.
   */
  exportsCApi: boolean;
  /** CPython is built profile-guided (CPYTHON_PGO), which runs the new interpreter on the build host. */
  profileGuided: boolean;
  /** Extra environment for CPython's configure and make. */
  cpythonEnv?: Record<string, string>;
  /** How to build this target on a machine of another architecture (see cross.ts); none: only natively. */
  cross?: CrossBuild;
}

/**
 * A cross build from a build host of `from` architecture: the cross
 * toolchain's commands, where they come from, and what configure cannot find
 * out when it cannot run the programs it compiles.
 */
export interface CrossBuild {
  /** Build-host architectures (x86_64) it cross-builds from. */
  from: string[];
  /** Refused with this reason instead of built (a target we cannot cross-build yet). */
  unsupported?: string;
  /** The cross compiler driver; installHint names the packages that bring it. */
  compiler: { command: string; installHint: string };
  /** binutils for the target, as `ar`, `ranlib`, `strip`, ... see cross.ts. */
  binutilsPrefix: string;
  /** A sysroot-like dir holding the target's kernel UAPI headers (linux/, asm/, asm-generic/), and its package. */
  kernelHeaders: { dir: string; installHint: string };
  /** The GNU triplet for autoconf's --host. */
  configureHost: string;
  /** Autoconf cache answers for tests that must run a target program (CONFIG_SITE). */
  configSite: Record<string, string>;
  /** Runs the target's programs here (smoke tests, checks); optional: what needs it says when it is missing. */
  emulator: { command: string; installHint: string };
  /** Everything above as what to look for and the Debian package that brings it, for the Action to install (host-tools.ts). */
  hostTools: HostTool[];
  /** A dpkg foreign architecture those packages need. */
  debianArchitecture?: string;
}

/** A build tool: a command on PATH (or an absolute path that must exist), and the Debian/Ubuntu package that brings it. */
export interface HostTool {
  check: string;
  package: string;
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
 * What CPython's configure runs a test program for, answered as it answers
 * on aarch64 Linux with musl: cross-compiling, it guesses conservatively
 * (aligned access required, no computed gotos, no usable wchar_t, broken
 * tzset...). With these, pyconfig.h is identical to the one of a configure
 * run natively under qemu (3.13.5).
 */
const AARCH64_LINUX_CONFIG_SITE: Record<string, string> = {
  ac_cv_file__dev_ptmx: 'yes',
  ac_cv_file__dev_ptc: 'no',
  ac_cv_buggy_getaddrinfo: 'no',
  ac_cv_aligned_required: 'no',
  ac_cv_broken_sem_getvalue: 'no',
  ac_cv_computed_gotos: 'yes',
  ac_cv_wchar_t_signed: 'no',
  ac_cv_working_tzset: 'yes',
  ac_cv_pthread_is_default: 'yes',
  ac_cv_pthread_system_supported: 'yes',
  ac_cv_posix_semaphores_enabled: 'yes',
  ac_cv_rshift_extends_sign: 'yes',
  ac_cv_broken_nice: 'no',
  ac_cv_broken_poll: 'no',
  ac_cv_broken_mbstowcs: 'no',
  ac_cv_x87_double_rounding: 'no',
  ac_cv_have_chflags: 'no',
  ac_cv_have_lchflags: 'no',
};


/** aarch64 from an x86_64 host: Debian's cross gcc with musl's specs wrapper (musl-dev:arm64). */
const AARCH64_MUSL_CROSS: CrossBuild = {
  from: ['x86_64'],
  compiler: {
    command: 'aarch64-linux-musl-gcc',
    installHint:
      'install the aarch64 cross compiler and musl: `sudo dpkg --add-architecture arm64 && sudo apt-get update && ' +
      'sudo apt-get install gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu musl-dev:arm64` on Debian/Ubuntu',
  },
  binutilsPrefix: 'aarch64-linux-gnu-',
  kernelHeaders: {
    dir: '/usr/aarch64-linux-gnu/include',
    installHint: 'install the arm64 kernel headers: `sudo apt-get install linux-libc-dev-arm64-cross` on Debian/Ubuntu',
  },
  configureHost: 'aarch64-linux-musl',
  configSite: AARCH64_LINUX_CONFIG_SITE,
  emulator: { command: 'qemu-aarch64-static', installHint: '`sudo apt-get install qemu-user-static` on Debian/Ubuntu' },
  hostTools: [
    { check: 'aarch64-linux-musl-gcc', package: 'musl-dev:arm64' },
    { check: 'aarch64-linux-gnu-gcc', package: 'gcc-aarch64-linux-gnu' },
    { check: 'aarch64-linux-gnu-ar', package: 'binutils-aarch64-linux-gnu' },
    { check: '/usr/aarch64-linux-gnu/include/asm/unistd.h', package: 'linux-libc-dev-arm64-cross' },
    { check: 'qemu-aarch64-static', package: 'qemu-user-static' },
  ],
  debianArchitecture: 'arm64',
};

/**
 * A glibc binary links the build host's glibc and its build runs the wheels'
 * compiled modules; across architectures neither can be done yet.
 */
const AARCH64_GNU_CROSS: CrossBuild = {
  ...AARCH64_MUSL_CROSS,
  unsupported:
    'a glibc binary is linked against the glibc it is built with and its build imports the compiled modules of ' +
    'its wheels, which an x86_64 machine cannot do for aarch64: build it on an ARM runner (ubuntu-24.04-arm), ' +
    'or use aarch64-linux-musl for a pure-Python app',
};

const CROSS: Record<string, CrossBuild> = { 'aarch64-linux-musl': AARCH64_MUSL_CROSS, 'aarch64-linux-gnu': AARCH64_GNU_CROSS };

/**
 * Each function and object in its own section, so that the launcher's link
 * (--gc-sections) drops what nothing calls, inside the objects it keeps.
 */
const SECTION_CFLAGS = ['-ffunction-sections', '-fdata-sections'];

const LIBRARY_CFLAGS = ['-O2', '-fPIC', ...SECTION_CFLAGS];

/**
 * CPython keeps configure's -O3: no -O2 after it, and no -fPIC, with which gcc
 * may not inline or clone a global function (it could be interposed), which
 * slows the interpreter down. The launcher is an executable: the compiler's
 * default (PIE or not) is enough. -g0 undoes configure's -g: the launcher is
 * stripped, and debug info makes the profile-guided build's instrumented
 * compile much slower (bench/cold-build.ts).
 */
const CPYTHON_CFLAGS = [...SECTION_CFLAGS, '-g0'];

/**
 * The profile-guided build runs its training on the target, which for the
 * architectures we cross-build means under qemu (many times slower): only the build
 * hosts' own architecture gets it for now, wherever it is built (the recipe
 * hash stays the same on a native runner).
 */
const PROFILE_GUIDED_ARCHES = ['x86_64'];

/** Nothing in a static musl binary unwinds the stack (no C++, no backtrace()): no unwind tables, a smaller launcher. */
const NO_UNWIND_TABLES = ['-fno-asynchronous-unwind-tables', '-fno-unwind-tables'];

/** A static musl target: musl-gcc, everything linked in, no dynamic loading. */
function muslTarget(arch: string): Target {
  const cross = CROSS[`${arch}-linux-musl`];
  return {
    triple: `${arch}-linux-musl`,
    os: 'linux',
    arch,
    libc: 'musl',
    compiler: { command: 'musl-gcc', installHint: MUSL_HINT },
    opensslTarget: `linux-${arch}`,
    cflags: [...LIBRARY_CFLAGS, ...NO_UNWIND_TABLES],
    cpythonCflags: [...CPYTHON_CFLAGS, ...NO_UNWIND_TABLES],
    ldflags: ['-static'],
    // musl gives threads 128 KiB of stack unless the binary asks for more.
    launcherLdflags: ['-Wl,-z,stack-size=1048576', '-Wl,--gc-sections'],
    exportsCApi: false,
    profileGuided: PROFILE_GUIDED_ARCHES.includes(arch),
    ...(cross ? { cross } : {}),
  };
}

/**
 * A glibc target: the host's gcc, glibc linked dynamically (it cannot be
 * linked statically and still dlopen), every other library a static archive
 * of ours.
 */
function glibcTarget(arch: string): Target {
  const cross = CROSS[`${arch}-linux-gnu`];
  return {
    triple: `${arch}-linux-gnu`,
    os: 'linux',
    arch,
    libc: 'glibc',
    compiler: { command: 'gcc', installHint: GCC_HINT },
    opensslTarget: `linux-${arch}`,
    // Unwind tables stay: a wheel's C++ code may throw through its own frames.
    cflags: LIBRARY_CFLAGS,
    cpythonCflags: CPYTHON_CFLAGS,
    ldflags: [],
    // Not position-independent, as Debian's python3: a PIE launcher has tens of
    // thousands of relative relocations for the loader to apply at every start
    // (most of ld.so's work, LD_DEBUG=statistics).
    launcherLdflags: ['-no-pie', '-Wl,--gc-sections'],
    exportsCApi: true,
    profileGuided: PROFILE_GUIDED_ARCHES.includes(arch),
    cpythonEnv: GLIBC_CPYTHON_ENV,
    ...(cross ? { cross } : {}),
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

/** The target of the machine we run on, with the given C library. */
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

/**
 * The fields of a target that change the bytes built, for cache keys: never
 * the hints shown when a tool is missing, nor how it is cross-built (each key
 * adds that itself). A library sees only how objects are compiled; a
 * toolchain also how CPython is compiled and the launcher linked.
 */
export function targetKey(target: Target, scope: 'library' | 'toolchain') {
  const { triple, os, arch, libc, opensslTarget, cflags, ldflags } = target;
  const compiled = { triple, os, arch, libc, compiler: target.compiler.command, opensslTarget, cflags, ldflags };
  if (scope === 'library') return compiled;
  const { cpythonCflags, launcherLdflags, exportsCApi, cpythonEnv } = target;
  // exportsCApi and cpythonEnv only where set: the musl targets' hashes (and so their prebuilt toolchains) predate them.
  return { ...compiled, cpythonCflags, launcherLdflags, ...(exportsCApi ? { exportsCApi } : {}), ...(cpythonEnv ? { cpythonEnv } : {}) };
}

/** A target by its triple, or a clear error listing the known ones. */
export function targetByTriple(triple: string, input = 'target'): Target {
  const target = TARGETS.find((t) => t.triple === triple);
  if (!target) throw new PybinError(`${input} must be one of ${TARGETS.map((t) => t.triple).join(', ')}, got "${triple}"`, input);
  return target;
}
