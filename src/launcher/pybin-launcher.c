/*
 * pybin launcher: the main() of a statically linked CPython that runs the ZIP
 * appended to its own file, the way `python app.pyz` runs a zipapp.
 *
 * Modes:
 *   app          a ZIP is appended and PYBIN_INTERPRETER is not "1": the file
 *                itself is sys.path[0] and __main__ runs from its ZIP; argv
 *                reaches the app unchanged (no option parsing) and PYTHON*
 *                environment variables are ignored (isolated config).
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

/* Does the file end with a ZIP archive that zipimport can find? */
static int has_appended_zip(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return 0;
    }
    struct stat st;
    static unsigned char tail[EOCD_SEARCH];
    ssize_t got = 0;
    if (fstat(fd, &st) == 0 && st.st_size >= 22) {
        off_t want = st.st_size < EOCD_SEARCH ? st.st_size : EOCD_SEARCH;
        got = pread(fd, tail, (size_t)want, st.st_size - want);
    }
    close(fd);
    for (ssize_t i = got - 22; i >= 0; i--) {
        if (tail[i] == 'P' && tail[i + 1] == 'K' && tail[i + 2] == 5 && tail[i + 3] == 6) {
            return 1;
        }
    }
    return 0;
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
    int zipped = has_appended_zip(exe);
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
    }
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
        status = PyConfig_SetBytesString(&config, &config.run_filename, exe);
        if (PyStatus_Exception(status)) fail_status(&config, status);
    }

    wchar_t *search_path = Py_DecodeLocale(zipped ? exe : stdlib_dir, NULL);
    if (search_path == NULL) {
        fprintf(stderr, "pybin: cannot decode path %s\n", zipped ? exe : stdlib_dir);
        return 1;
    }
    config.module_search_paths_set = 1;
    status = PyWideStringList_Append(&config.module_search_paths, search_path);
    PyMem_RawFree(search_path);
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
    return Py_RunMain();
}
