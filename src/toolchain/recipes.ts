/**
 * What goes into a toolchain, as data: pinned sources and how each library is
 * built. The build code interprets these; the cache key hashes them, so any
 * change here rebuilds exactly what it affects.
 *
 * Step arguments may use {prefix} (the component's install dir), {jobs},
 * {opensslTarget} and {cflags}; the builder substitutes them.
 */

export type ComponentName =
  | 'cpython'
  | 'zlib'
  | 'bzip2'
  | 'xz'
  | 'libffi'
  | 'openssl'
  | 'sqlite'
  | 'mpdecimal'
  | 'zstd'
  | 'mimalloc';

export interface SourcePin {
  version: string;
  url: string;
  sha256: string;
}

export interface LibraryRecipe extends SourcePin {
  name: Exclude<ComponentName, 'cpython'>;
  /** License texts in the source tree; every one that exists is shipped, one must. */
  licenseFiles: string[];
  /** Shipped when none of licenseFiles exists (some release tarballs carry none). */
  licenseFallback?: string;
  /** Files under patches/ (each says why in its header), applied with `patch -p1` in this order before the steps. */
  patches?: string[];
  /** Commands run in the unpacked source dir, in order. */
  steps: string[][];
}

/** OpenSSL features no Python module uses (see the openssl recipe). */
const OPENSSL_UNUSED = [
  'quic', 'dtls', 'srtp', 'ct', 'srp', 'ocsp', 'cms', 'cmp', 'ts', 'http', 'rfc3779', 'ssl-trace',
  'legacy', 'gost', 'sm2', 'sm2-precomp', 'sm3', 'sm4', 'idea', 'seed', 'mdc2', 'whirlpool',
  'ec2m', 'slh-dsa', 'argon2', 'siv', 'ocb',
  // Ciphers no default TLS suite of CPython's uses and hashlib never reaches
  // (MD4 needs the legacy provider, off above).
  'camellia', 'aria', 'bf', 'cast', 'rc2', 'rc4', 'md4',
];

const autotools = (...configureArgs: string[]): string[][] => [
  ['./configure', '--prefix={prefix}', '--disable-shared', '--enable-static', ...configureArgs],
  ['make', '-j{jobs}'],
  ['make', 'install'],
];

export const LIBRARIES: Record<LibraryRecipe['name'], LibraryRecipe> = {
  zlib: {
    name: 'zlib',
    version: '1.3.1',
    url: 'https://github.com/madler/zlib/releases/download/v1.3.1/zlib-1.3.1.tar.gz',
    sha256: '9a93b2b7dfdac77ceba5a558a580e74667dd6fede4585b91eefb60f03b72df23',
    licenseFiles: ['LICENSE'],
    steps: [['./configure', '--prefix={prefix}', '--static'], ['make', '-j{jobs}', 'libz.a'], ['make', 'install']],
  },
  bzip2: {
    name: 'bzip2',
    version: '1.0.8',
    url: 'https://sourceware.org/pub/bzip2/bzip2-1.0.8.tar.gz',
    sha256: 'ab5a03176ee106d3f0fa90e381da478ddae405918153cca248e682cd0c4a2269',
    licenseFiles: ['LICENSE'],
    // bzip2's Makefile ignores CFLAGS from the environment.
    steps: [
      ['make', '-j{jobs}', 'libbz2.a', 'CC=cc', 'CFLAGS={cflags} -D_FILE_OFFSET_BITS=64'],
      ['install', '-D', '-m', '644', 'libbz2.a', '{prefix}/lib/libbz2.a'],
      ['install', '-D', '-m', '644', 'bzlib.h', '{prefix}/include/bzlib.h'],
    ],
  },
  xz: {
    name: 'xz',
    version: '5.8.1',
    url: 'https://github.com/tukaani-project/xz/releases/download/v5.8.1/xz-5.8.1.tar.xz',
    sha256: '0b54f79df85912504de0b14aec7971e3f964491af1812d83447005807513cd9e',
    licenseFiles: ['COPYING', 'COPYING.0BSD'],
    steps: autotools(
      '--disable-xz',
      '--disable-xzdec',
      '--disable-lzmadec',
      '--disable-lzmainfo',
      '--disable-lzma-links',
      '--disable-scripts',
      '--disable-doc',
      '--disable-nls',
    ),
  },
  libffi: {
    name: 'libffi',
    version: '3.4.8',
    url: 'https://github.com/libffi/libffi/releases/download/v3.4.8/libffi-3.4.8.tar.gz',
    sha256: 'bc9842a18898bfacb0ed1252c4febcc7e78fa139fd27fdc7a3e30d9d9356119b',
    licenseFiles: ['LICENSE'],
    steps: [
      // Release tarballs ship ./configure; git snapshots (Debian's orig tarball) need autoreconf.
      ['sh', '-c', 'test -x configure || autoreconf -fi'],
      ...autotools('--disable-docs', '--disable-multi-os-directory'),
    ],
  },
  openssl: {
    name: 'openssl',
    version: '3.5.7',
    url: 'https://github.com/openssl/openssl/releases/download/openssl-3.5.7/openssl-3.5.7.tar.gz',
    sha256: 'a8c0d28a529ca480f9f36cf5792e2cd21984552a3c8e4aa11a24aa31aeac98e8',
    licenseFiles: ['LICENSE.txt'],
    patches: ['openssl-no-avx512-aes.patch'],
    steps: [
      [
        './Configure',
        '{opensslTarget}',
        '--prefix={prefix}',
        '--libdir=lib',
        // Compiled-in default: /etc/ssl/cert.pem and /etc/ssl/certs (Debian,
        // Alpine). Other distributions' bundles are found by patches/ssl-distribution-ca-bundles.patch.
        '--openssldir=/etc/ssl',
        'no-shared',
        'no-module',
        'no-tests',
        'no-docs',
        'no-afalgeng',
        'no-engine',
        // What neither the ssl module nor hashlib reaches (QUIC, DTLS, CMS,
        // OCSP, national and legacy ciphers, ...): less code in every binary.
        // TLS 1.0-1.3, PSK, ML-KEM key exchange and hashlib.algorithms_guaranteed stay.
        ...OPENSSL_UNUSED.map((feature) => `no-${feature}`),
      ],
      ['make', '-j{jobs}', 'build_libs'],
      ['make', 'install_dev'],
    ],
  },
  sqlite: {
    name: 'sqlite',
    version: '3.46.1',
    url: 'https://sqlite.org/2024/sqlite-autoconf-3460100.tar.gz',
    sha256: '67d3fe6d268e6eaddcae3727fce58fcc8e9c53869bdd07a0c61e38ddf2965071',
    licenseFiles: ['LICENSE.md'],
    licenseFallback:
      'SQLite is in the public domain: https://www.sqlite.org/copyright.html\n' +
      '"Anyone is free to copy, modify, publish, use, compile, sell, or distribute the original SQLite code."\n',
    steps: [
      [
        './configure',
        '--prefix={prefix}',
        '--disable-shared',
        '--enable-static',
        '--disable-tcl',
        '--disable-readline',
        '--disable-editline',
        // -Os after {cflags}' -O2: less code, and faster too on bench/speed.ts's
        // sqlite workload (the amalgamation's hot paths fit the cache better).
        'CFLAGS={cflags} -Os -DSQLITE_ENABLE_FTS5 -DSQLITE_ENABLE_FTS4 -DSQLITE_ENABLE_RTREE -DSQLITE_ENABLE_MATH_FUNCTIONS -DSQLITE_ENABLE_DBSTAT_VTAB',
      ],
      ['make', '-j{jobs}', 'libsqlite3.la'],
      // Not `make install`: it builds the sqlite3 shell, compiling all of SQLite a second time.
      ['install', '-D', '-m', '644', '.libs/libsqlite3.a', '{prefix}/lib/libsqlite3.a'],
      ['install', '-D', '-m', '644', 'sqlite3.h', '{prefix}/include/sqlite3.h'],
      ['install', '-D', '-m', '644', 'sqlite3.pc', '{prefix}/lib/pkgconfig/sqlite3.pc'],
    ],
  },
  mpdecimal: {
    name: 'mpdecimal',
    version: '4.0.1',
    url: 'https://www.bytereef.org/software/mpdecimal/releases/mpdecimal-4.0.1.tar.gz',
    sha256: '96d33abb4bb0070c7be0fed4246cd38416188325f820468214471938545b1ac8',
    licenseFiles: ['LICENSE.txt', 'COPYRIGHT.txt'],
    steps: autotools('--disable-cxx'),
  },
  zstd: {
    name: 'zstd',
    version: '1.5.7',
    url: 'https://github.com/facebook/zstd/releases/download/v1.5.7/zstd-1.5.7.tar.gz',
    sha256: 'eb33e51f49a15e023950cd7825ca74a4a2b43db8354825ac24fc1b7ee09e6fa3',
    licenseFiles: ['LICENSE'],
    // zstd's Makefile builds libzstd.a single-threaded unless told otherwise;
    // CPython's _zstd then cannot use compression.zstd's nb_workers (every
    // other CPython build links a multithreaded libzstd). MT=1: the .pc says so too.
    steps: [
      ['make', '-C', 'lib', '-j{jobs}', 'libzstd.a', 'CFLAGS={cflags} -DZSTD_MULTITHREAD'],
      ['make', '-C', 'lib', 'install-static', 'install-includes', 'install-pc', 'PREFIX={prefix}', 'MT=1'],
    ],
  },
  mimalloc: {
    name: 'mimalloc',
    version: '2.0.9',
    url: 'https://github.com/microsoft/mimalloc/archive/refs/tags/v2.0.9.tar.gz',
    sha256: '4a29edae32a914a706715e2ac8e7e4109e25353212edeed0888f4e3e15db5850',
    licenseFiles: ['LICENSE'],
    // src/static.c is the whole allocator in one unit; MI_MALLOC_OVERRIDE makes
    // it define malloc, free, ... (see PythonRecipe.mallocReplacement).
    steps: [
      ['sh', '-c', 'cc {cflags} -O3 -DNDEBUG -DMI_MALLOC_OVERRIDE -Iinclude -c src/static.c -o mimalloc.o && ar rcs libmimalloc.a mimalloc.o'],
      ['install', '-D', '-m', '644', 'libmimalloc.a', '{prefix}/lib/libmimalloc.a'],
    ],
  },
};

/**
 * pymalloc: CPython's small-object allocator over the C library's malloc (upstream
 * default; see PythonRecipe.mallocReplacement);
 * malloc: musl's malloc for everything; mimalloc: the copy CPython 3.13+ bundles.
 * Chosen by bench/speed.ts (--baseline compares two): mimalloc is the fastest
 * where CPython bundles it and musl's malloc the slowest; 3.11 and 3.12 bundle
 * no mimalloc, so they keep pymalloc.
 */
export type Allocator = 'pymalloc' | 'malloc' | 'mimalloc';

export interface PythonRecipe extends SourcePin {
  /** Libraries it links, in build order. */
  libraries: LibraryRecipe['name'][];
  /** Extra ./configure arguments for this version. */
  configureArgs: string[];
  /** Extension modules that must end up built in, or the build fails. */
  requiredModules: string[];
  allocator: Allocator;
  /**
   * How Setup.stdlib's modules get built in. 3.12+ read it themselves; 3.11
   * uses it only on WASI/Emscripten (elsewhere setup.py builds shared
   * modules), so it is copied to Modules/Setup.local, which makesetup always reads.
   */
  stdlibSetup: 'native' | 'setup-local';
  /**
   * A library linked into the static musl launchers in place of musl's
   * malloc, under CPython's own allocator: musl's mallocng maps and unmaps
   * pages for the objects pymalloc hands on (over 512 bytes), which slows
   * down a real app's start-up (bench/startup.ts). Not on glibc (its malloc is
   * fast, and compiled modules loaded there must share it), nor where CPython
   * bundles mimalloc itself (3.13+).
   */
  mallocReplacement?: LibraryRecipe['name'];
  /** Module lines appended to Modules/Setup.local, for modules configure leaves to setup.py. */
  extraSetupLines?: string[];
  /**
   * Whether this project's own test suite (`npm test`) builds and runs this
   * version. Untested versions are pinned from upstream's published hashes
   * and built only by the GitHub workflows; pybin never picks one by default
   * and warns when one is used. Not part of the recipe hash: it says what we
   * know about a build, not what goes into it.
   */
  tested: boolean;
}

const BASE_LIBRARIES: LibraryRecipe['name'][] = ['zlib', 'bzip2', 'xz', 'libffi', 'openssl', 'sqlite'];

const BASE_MODULES = [
  '_ssl', '_hashlib', '_sqlite3', '_ctypes', '_lzma', '_bz2', 'zlib', '_decimal', 'pyexpat', '_elementtree',
  '_asyncio', '_json', 'unicodedata', '_multibytecodec', '_codecs_cn', '_codecs_jp', '_zoneinfo', '_socket',
  'select', '_posixsubprocess', '_multiprocessing', '_posixshmem', '_blake2', '_sha3', '_md5', '_sha2', 'math',
  '_struct', 'array', '_datetime', 'binascii', 'fcntl', 'mmap',
]; // Not _uuid: it needs libuuid, which we do not build; uuid falls back to pure Python.

const PY311_MODULES = BASE_MODULES.map((m) => (m === '_sha2' ? '_sha256' : m));

/** 3.14+: _zstd (PEP 784, needs libzstd >= 1.4.5) and _hmac (HACL* HMAC, always built). */
const PY314_MODULES = [...BASE_MODULES, '_zstd', '_hmac'];

export const PYTHONS: readonly PythonRecipe[] = [
  {
    version: '3.11.2',
    url: 'https://www.python.org/ftp/python/3.11.2/Python-3.11.2.tgz',
    sha256: '2411c74bda5bbcfcddaf4531f66d1adc73f247f529aee981b029513aefdbf849',
    // 3.11 builds _decimal from its bundled libmpdec.
    libraries: BASE_LIBRARIES,
    configureArgs: [],
    requiredModules: [...PY311_MODULES, '_sha512'],
    allocator: 'pymalloc',
    mallocReplacement: 'mimalloc',
    stdlibSetup: 'setup-local',
    tested: true,
    // No `=` in these lines: makesetup takes any line with one for a Make variable.
    extraSetupLines: [
      '_ctypes _ctypes/_ctypes.c _ctypes/callbacks.c _ctypes/callproc.c _ctypes/stgdict.c _ctypes/cfield.c ' +
        '-lffi -DHAVE_FFI_PREP_CIF_VAR -DHAVE_FFI_PREP_CLOSURE_LOC -DHAVE_FFI_CLOSURE_ALLOC',
    ],
  },
  {
    version: '3.12.15',
    url: 'https://www.python.org/ftp/python/3.12.15/Python-3.12.15.tar.xz',
    sha256: 'c2c4321961fab0fb999d66e0cecf521c2ab3994c7992873ea99e306c1094fd5a',
    libraries: [...BASE_LIBRARIES, 'mpdecimal'],
    configureArgs: ['--with-system-libmpdec'],
    requiredModules: BASE_MODULES,
    allocator: 'pymalloc',
    mallocReplacement: 'mimalloc',
    stdlibSetup: 'native',
    tested: false,
  },
  {
    version: '3.13.5',
    url: 'https://www.python.org/ftp/python/3.13.5/Python-3.13.5.tar.xz',
    sha256: '93e583f243454e6e9e4588ca2c2662206ad961659863277afcdb96801647d640',
    libraries: [...BASE_LIBRARIES, 'mpdecimal'],
    configureArgs: ['--with-system-libmpdec'],
    requiredModules: BASE_MODULES,
    allocator: 'mimalloc',
    stdlibSetup: 'native',
    tested: true,
  },
  // 3.14.10 and 3.15.2: sha256 from Debian's source index (python3.14_3.14.10.orig.tar.xz,
  // python3.15_3.15.2.orig.tar.xz), whose CPython orig tarballs have been upstream's release
  // tarballs byte for byte; the archive serves neither file here, so both stay untested here.
  {
    version: '3.14.10',
    url: 'https://www.python.org/ftp/python/3.14.10/Python-3.14.10.tar.xz',
    sha256: 'de414a57119abef52784d8993e341d53aed635fc2b05c2607d9f98a2c5b72032',
    libraries: [...BASE_LIBRARIES, 'mpdecimal', 'zstd'],
    configureArgs: ['--with-system-libmpdec'],
    requiredModules: PY314_MODULES,
    allocator: 'mimalloc',
    stdlibSetup: 'native',
    tested: false,
  },
  {
    version: '3.15.2',
    url: 'https://www.python.org/ftp/python/3.15.2/Python-3.15.2.tar.xz',
    sha256: '8b5536d280142ecf6cdfe15d12a21ba1c65e300bbf7b28a8d0cdb849575797de',
    libraries: [...BASE_LIBRARIES, 'mpdecimal', 'zstd'],
    configureArgs: ['--with-system-libmpdec'],
    requiredModules: PY314_MODULES,
    allocator: 'mimalloc',
    stdlibSetup: 'native',
    tested: false,
  },
];

/** ./configure arguments shared by every version. */
export const CPYTHON_CONFIGURE_ARGS = [
  '--prefix=/pybin',
  '--disable-shared',
  '--disable-test-modules',
  '--without-ensurepip',
  '--with-readline=no',
  // Every extension module in Modules/Setup.stdlib is built in, none shared.
  'MODULE_BUILDTYPE=static',
  // Modules whose libraries we do not build: without this, configure finds
  // the host's glibc builds of them.
  'py_cv_module__tkinter=n/a',
  'py_cv_module__curses=n/a',
  'py_cv_module__curses_panel=n/a',
  'py_cv_module_readline=n/a',
  'py_cv_module__dbm=n/a',
  'py_cv_module__gdbm=n/a',
  'py_cv_module__uuid=n/a',
  'py_cv_module_nis=n/a',
  // Debian's musl has no crypt(); the module is deprecated and gone in 3.13.
  'py_cv_module__crypt=n/a',
];

/**
 * Profile-guided optimisation of CPython's own objects, for every version on
 * the targets that ask for it (Target.profileGuided): make builds them
 * instrumented, the new interpreter runs `workload` (src/toolchain/), and make
 * builds them again with the profile. What the workload never ran is
 * optimised for size, as upstream's --enable-optimizations does (a smaller
 * launcher than -fprofile-partial-training gives, at about its speed:
 * bench/size.ts, bench/speed.ts).
 */
export const CPYTHON_PGO = {
  generate: ['-fprofile-generate'],
  use: ['-fprofile-use', '-fprofile-correction'],
  workload: 'pgo-workload.py',
};

/**
 * What `make` builds: the static interpreter (with libpythonX.Y.a) and the
 * generated sysconfig data. Not `all`: on 3.11 that also runs setup.py, which
 * adds the host's /usr/include/<multiarch> and /usr/local/include.
 */
export const CPYTHON_MAKE_TARGETS = ['python', 'pybuilddir.txt'];

/**
 * Changes to CPython's sources, one file each under patches/ (its header says
 * why it exists), applied in this order to the versions its PEP 440
 * specifier matches. Hunk offsets may differ between versions; `patch` finds
 * them, so one text serves every version it fits.
 */
export interface PatchRecipe {
  file: string;
  versions: string;
}

export const CPYTHON_PATCHES: readonly PatchRecipe[] = [
  { file: 'ctypes-static-pythonapi.patch', versions: '>=3.11' },
  { file: 'ssl-distribution-ca-bundles.patch', versions: '>=3.11' },
];

/**
 * License texts inside CPython's tree, shipped as licenses/<name>.txt: CPython's
 * own (required), and those of the software it incorporates, where the version
 * has them (Doc/license.rst holds the notices of mimalloc, libmpdec, ...).
 */
export const CPYTHON_BUNDLED_LICENSES: Record<string, string> = {
  cpython: 'LICENSE',
  'cpython-incorporated-software': 'Doc/license.rst',
  expat: 'Modules/expat/COPYING',
  keccak: 'Modules/_sha3/LICENSE',
};

/**
 * Parts of Lib/ that never go into a toolchain or a binary (paths relative to
 * Lib/, a directory with its trailing /): test suites, and what needs Tk,
 * which is never built.
 */
export const STDLIB_EXCLUDES = [
  'test/', 'ctypes/test/', 'distutils/tests/', 'sqlite3/test/', 'unittest/test/',
  'idlelib/', 'tkinter/', 'turtledemo/', 'turtle.py', 'ensurepip/', 'lib2to3/', 'site-packages/',
  // help('topics') and help('keywords') text, large and rarely read; pydoc says it is not available.
  'pydoc_data/',
];
