/*
 * pybin launcher: the main() of a statically linked CPython that runs the ZIP
 * appended to its own file, the way `python app.pyz` runs a zipapp.
 *
 * Modes:
 *   app          a ZIP is appended and PYBIN_INTERPRETER is not "1": the file
 *                itself is sys.path[0] and the ZIP's _pybin_boot runs the
 *                app; argv reaches it unchanged (no option parsing), PYTHON*
 *                environment variables are ignored (isolated config) and site
 *                is not imported.
 *   interpreter  no ZIP appended (the bare toolchain launcher), PYBIN_INTERPRETER=1,
 *                or a library's child interpreter (see is_library_child):
 *                behaves as python3 (-c, -m, script, REPL, -E/-I/-P, PYTHONPATH
 *                and the other PYTHON* variables). The stdlib is the appended
 *                ZIP if there is one, else ../lib/pythonX.Y beside the
 *                executable (the toolchain layout).
 *
 * PYBIN_INTERPRETER is removed from the environment once read, so that a pybin
 * app started by this process runs as an app, not as python.
 */
#include <Python.h>

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wchar.h>

/* zipimport looks for the end-of-central-directory record in the last
 * 64 KiB (the maximum comment length) plus the record itself. */
#define EOCD_SEARCH (65535 + 22)

/* Resolve the path of this executable. /proc is missing in an empty chroot
 * and in some sandboxes, so fall back to argv[0] and PATH like a shell. */
static int find_own_path(const char *argv0, char *out)
{
    ssize_t n = readlink("/proc/self/exe", out, PATH_MAX - 1);
    if (n > 0) {
        out[n] = '\0';
        return 0;
    }
    if (strchr(argv0, '/') != NULL) {
        return realpath(argv0, out) != NULL ? 0 : -1;
    }
    const char *dirs = getenv("PATH");
    if (dirs == NULL || *dirs == '\0') {
        dirs = "/usr/local/bin:/usr/bin:/bin";
    }
    while (1) {
        size_t len = strcspn(dirs, ":");
        char candidate[PATH_MAX];
        int written = snprintf(candidate, sizeof candidate, "%.*s/%s",
                               (int)(len ? len : 1), len ? dirs : ".", argv0);
        if (written > 0 && (size_t)written < sizeof candidate
            && access(candidate, X_OK) == 0 && realpath(candidate, out) != NULL) {
            return 0;
        }
        if (dirs[len] == '\0') {
            return -1;
        }
        dirs += len + 1;
    }
}

/* The appended ZIP's central directory, read once at start. */
struct zip_directory {
    int found;             /* an end-of-central-directory record is there */
    unsigned char *data;   /* the central directory, or NULL if not usable */
    size_t size;
    unsigned long entries;
    unsigned long start;   /* its offset as the ZIP states it */
    unsigned long shift;   /* bytes before the ZIP: the interpreter */
};

static unsigned le16(const unsigned char *p) { return p[0] | p[1] << 8; }
static unsigned long le32(const unsigned char *p) { return le16(p) | (unsigned long)le16(p + 2) << 16; }

/* Find the ZIP at the end of the file as zipimport does (the last
 * end-of-central-directory record) and read its central directory. Zip64
 * archives are left to zipimport. */
static struct zip_directory read_zip_directory(const char *path)
{
    struct zip_directory zip = {0};
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return zip;
    }
    struct stat st;
    static unsigned char tail[EOCD_SEARCH];
    ssize_t got = 0;
    off_t tail_start = 0;
    if (fstat(fd, &st) == 0 && st.st_size >= 22) {
        off_t want = st.st_size < EOCD_SEARCH ? st.st_size : EOCD_SEARCH;
        tail_start = st.st_size - want;
        got = pread(fd, tail, (size_t)want, tail_start);
    }
    for (ssize_t i = got - 22; i >= 0; i--) {
        const unsigned char *eocd = tail + i;
        if (eocd[0] != 'P' || eocd[1] != 'K' || eocd[2] != 5 || eocd[3] != 6) {
            continue;
        }
        zip.found = 1;
        unsigned long size = le32(eocd + 12), start = le32(eocd + 16), position = (unsigned long)(tail_start + i);
        zip.entries = le16(eocd + 10);
        if (zip.entries == 0xFFFF || size == 0xFFFFFFFFul || start == 0xFFFFFFFFul
            || position < size || position - size < start) {
            break;
        }
        zip.shift = position - size - start;
        zip.start = start;
        zip.size = size;
        zip.data = malloc(size ? size : 1);
        if (zip.data != NULL && pread(fd, zip.data, size, (off_t)(position - size)) != (ssize_t)size) {
            free(zip.data);
            zip.data = NULL;
        }
        break;
    }
    close(fd);
    return zip;
}

/* zipimport's table of the archive's files, the dict its _read_directory
 * returns ({name: (path, compress, data_size, file_size, file_offset, time,
 * date, crc)}), built here in C: zipimport's own parse is Python code run at
 * every start, before the first line of the app, and grows with the app.
 * NULL (no exception) where zipimport should parse it itself. */
static PyObject *zip_files(const struct zip_directory *zip, PyObject *archive)
{
    PyObject *files = PyDict_New();
    const unsigned char *p = zip->data, *end = zip->data + zip->size;
    unsigned long count = 0;
    while (files != NULL && p + 46 <= end && le32(p) == 0x02014b50ul) {
        unsigned flags = le16(p + 8), name_size = le16(p + 28);
        unsigned long data_size = le32(p + 20), file_size = le32(p + 24), offset = le32(p + 42);
        const unsigned char *name_bytes = p + 46;
        size_t header = 46 + (size_t)name_size + le16(p + 30) + le16(p + 32);
        if (p + header > end || offset > zip->start) {
            break;
        }
        /* zipimport decodes names without the UTF-8 flag as cp437: leave those to it. */
        int ascii = 1;
        for (unsigned k = 0; k < name_size; k++) {
            ascii &= name_bytes[k] < 0x80;
        }
        size_t stem = name_size; /* the path has no trailing slash (zipimport's _path_join) */
        while (stem > 0 && name_bytes[stem - 1] == '/') {
            stem--;
        }
        PyObject *name = NULL, *inner = NULL, *path = NULL, *entry = NULL;
        if (ascii || (flags & 0x800)) {
            name = PyUnicode_DecodeUTF8((const char *)name_bytes, name_size, NULL);
            inner = PyUnicode_DecodeUTF8((const char *)name_bytes, stem, NULL);
        }
        if (name != NULL && inner != NULL) {
            path = PyUnicode_FromFormat("%U/%U", archive, inner);
        }
        if (path != NULL) {
            entry = Py_BuildValue("(NIkkkIIk)", path, le16(p + 10), data_size, file_size, offset + zip->shift,
                                  le16(p + 12), le16(p + 14), le32(p + 16));
        }
        int stored = entry != NULL && PyDict_SetItem(files, name, entry) == 0;
        Py_XDECREF(name);
        Py_XDECREF(inner);
        Py_XDECREF(entry);
        if (!stored) {
            break;
        }
        count++;
        p += header;
    }
    if (files != NULL && count == zip->entries) {
        return files;
    }
    PyErr_Clear();
    Py_XDECREF(files);
    return NULL;
}

/* Between the core and the main phase of initialisation, before encodings is
 * imported from the ZIP: hand zipimport the table of the ZIP at `path`. Any
 * failure only means zipimport reads the table itself, as it always did. */
static void give_zipimport_its_table(const struct zip_directory *zip, const wchar_t *path)
{
    PyObject *archive = PyUnicode_FromWideChar(path, -1);
    PyObject *files = archive != NULL && zip->data != NULL ? zip_files(zip, archive) : NULL;
    PyObject *zipimport = files != NULL ? PyImport_ImportModule("zipimport") : NULL;
    PyObject *cache = zipimport != NULL ? PyObject_GetAttrString(zipimport, "_zip_directory_cache") : NULL;
    if (cache == NULL || !PyDict_Check(cache) || PyDict_SetItem(cache, archive, files) != 0) {
        PyErr_Clear();
    }
    Py_XDECREF(cache);
    Py_XDECREF(zipimport);
    Py_XDECREF(files);
    Py_XDECREF(archive);
}

/* The -c code of the child interpreters that libraries start from
 * sys.executable: multiprocessing's spawn, forkserver and resource_tracker
 * ("from multiprocessing.<mod> import ..."), and execnet's popen gateway, which
 * pytest-xdist's workers use. */
static const char *const CHILD_CODE[] = {
    "from multiprocessing.",
    "import sys;exec(eval(sys.stdin.readline()))",
};

/* Is this `sys.executable [interpreter flags] -c CODE` with a CODE above? Only
 * those exact shapes switch an app binary into interpreter mode, so an app
 * whose own CLI takes -c is never hijacked. */
static int is_library_child(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "-c") == 0) {
            if (i + 1 >= argc) {
                return 0;
            }
            for (size_t k = 0; k < sizeof CHILD_CODE / sizeof *CHILD_CODE; k++) {
                if (strncmp(argv[i + 1], CHILD_CODE[k], strlen(CHILD_CODE[k])) == 0) {
                    return 1;
                }
            }
            return 0;
        }
        if (strcmp(arg, "-X") == 0 || strcmp(arg, "-W") == 0) {
            i++; /* the option's value */
        } else if (strncmp(arg, "-X", 2) == 0 || strncmp(arg, "-W", 2) == 0) {
            continue;
        } else if (arg[0] != '-' || arg[1] == '\0' || strspn(arg + 1, "bBdEIOPqsSuv") != strlen(arg + 1)) {
            return 0; /* not a flag that subprocess._args_from_interpreter_flags or execnet emits */
        }
    }
    return 0;
}

/* Put each entry of a PYTHONPATH-style list before the stdlib, as python3 does. */
static PyStatus prepend_search_paths(PyConfig *config, const wchar_t *list)
{
    Py_ssize_t at = 0;
    const wchar_t *start = list;
    while (1) {
        const wchar_t *end = wcschr(start, L':');
        size_t len = end != NULL ? (size_t)(end - start) : wcslen(start);
        if (len > 0) {
            wchar_t *item = PyMem_RawMalloc((len + 1) * sizeof(wchar_t));
            if (item == NULL) {
                return PyStatus_NoMemory();
            }
            wmemcpy(item, start, len);
            item[len] = L'\0';
            PyStatus status = PyWideStringList_Insert(&config->module_search_paths, at++, item);
            PyMem_RawFree(item);
            if (PyStatus_Exception(status)) {
                return status;
            }
        }
        if (end == NULL) {
            return PyStatus_Ok();
        }
        start = end + 1;
    }
}

static void fail_status(PyConfig *config, PyStatus status)
{
    PyConfig_Clear(config);
    if (PyStatus_IsExit(status)) {
        exit(status.exitcode);
    }
    Py_ExitStatusException(status);
}

int main(int argc, char **argv)
{
    char exe[PATH_MAX];
    if (find_own_path(argv[0], exe) != 0) {
        fprintf(stderr, "pybin: cannot find this executable's own file (no /proc, argv[0] is '%s')\n", argv[0]);
        return 127;
    }
    struct zip_directory zip = read_zip_directory(exe);
    int zipped = zip.found;
    const char *flag = getenv("PYBIN_INTERPRETER");
    int interpreter = !zipped || (flag != NULL && strcmp(flag, "1") == 0)
                      || is_library_child(argc, argv);
    unsetenv("PYBIN_INTERPRETER");

    /* Python's own home: the executable's directory, or for a bare toolchain
     * launcher in bin/, the toolchain root whose lib/pythonX.Y is the stdlib. */
    char home[PATH_MAX], stdlib_dir[PATH_MAX];
    snprintf(home, sizeof home, "%s", exe);
    *strrchr(home, '/') = '\0';
    if (!zipped) {
        char *slash = strrchr(home, '/');
        if (slash != NULL && slash != home) {
            *slash = '\0';
        }
        snprintf(stdlib_dir, sizeof stdlib_dir, "%s/lib/python%d.%d", home, PY_MAJOR_VERSION, PY_MINOR_VERSION);
    }

    PyPreConfig preconfig;
    if (interpreter) {
        PyPreConfig_InitPythonConfig(&preconfig);
        preconfig.parse_argv = 1;
    } else {
        PyPreConfig_InitIsolatedConfig(&preconfig);
    }
    /* UTF-8 everywhere (PEP 686), also in an empty chroot with no locale;
     * in interpreter mode PYTHONUTF8 and -X utf8 still decide. */
    if (!interpreter || getenv("PYTHONUTF8") == NULL) {
        preconfig.utf8_mode = 1;
    }
    preconfig.configure_locale = 1;
#ifdef PYBIN_ALLOCATOR
    preconfig.allocator = PYBIN_ALLOCATOR;
#endif
    PyStatus status = Py_PreInitialize(&preconfig);
    if (PyStatus_Exception(status)) {
        Py_ExitStatusException(status);
    }

    PyConfig config;
    if (interpreter) {
        PyConfig_InitPythonConfig(&config);
        config.parse_argv = 1;
    } else {
        PyConfig_InitIsolatedConfig(&config);
        /* Embedding defaults leave SIGINT alone; python3 turns it into
         * KeyboardInterrupt and ignores SIGPIPE, and so do we. */
        config.install_signal_handlers = 1;
        /* No site-packages to find in the ZIP: the bootstrap adds what site
         * would that apps use (exit, quit, help). */
        config.site_import = 0;
    }
    /* Stop after the core phase, to hand zipimport the ZIP's table before
     * the main phase imports encodings from it. */
    config._init_main = 0;
    config.pathconfig_warnings = 0;

    status = PyConfig_SetBytesArgv(&config, argc, argv);
    if (PyStatus_Exception(status)) fail_status(&config, status);
    status = PyConfig_SetBytesString(&config, &config.executable, exe);
    if (PyStatus_Exception(status)) fail_status(&config, status);
    status = PyConfig_SetBytesString(&config, &config.prefix, home);
    if (PyStatus_Exception(status)) fail_status(&config, status);
    status = PyConfig_SetBytesString(&config, &config.exec_prefix, home);
    if (PyStatus_Exception(status)) fail_status(&config, status);
    if (!interpreter) {
        /* Run the bootstrap directly: as a zipapp (run_filename) the
         * ZIP's __main__ would go through runpy, whose imports cost more than
         * the app's own start on 3.11. The bootstrap sets argv[0] back. */
        status = PyConfig_SetString(&config, &config.run_command, L"import _pybin_boot\n_pybin_boot.main()\n");
        if (PyStatus_Exception(status)) fail_status(&config, status);
    }

    wchar_t *search_path = Py_DecodeLocale(zipped ? exe : stdlib_dir, NULL);
    if (search_path == NULL) {
        fprintf(stderr, "pybin: cannot decode path %s\n", zipped ? exe : stdlib_dir);
        return 1;
    }
    config.module_search_paths_set = 1;
    status = PyWideStringList_Append(&config.module_search_paths, search_path);
    if (PyStatus_Exception(status)) fail_status(&config, status);

    if (interpreter) {
        /* Parse the command line and the environment now, so that we know
         * whether -E/-I switched PYTHONPATH off: our own search path skips
         * CPython's path calculation, which would otherwise add it. */
        status = PyConfig_Read(&config);
        if (PyStatus_Exception(status)) fail_status(&config, status);
        if (config.pythonpath_env != NULL && config.use_environment && !config.isolated) {
            status = prepend_search_paths(&config, config.pythonpath_env);
            if (PyStatus_Exception(status)) fail_status(&config, status);
        }
    }

    status = Py_InitializeFromConfig(&config);
    if (PyStatus_Exception(status)) fail_status(&config, status);
    PyConfig_Clear(&config);
    if (zipped) {
        give_zipimport_its_table(&zip, search_path);
    }
    free(zip.data);
    PyMem_RawFree(search_path);
    status = _Py_InitializeMain();
    if (PyStatus_Exception(status)) {
        if (PyStatus_IsExit(status)) {
            return status.exitcode;
        }
        Py_ExitStatusException(status);
    }
    return Py_RunMain();
}
