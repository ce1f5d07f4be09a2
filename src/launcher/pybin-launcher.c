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
 *                or a library's child interpreter started by the app (see is_library_child):
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
#include <sys/mman.h>
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

/* The appended ZIP's central directory, mapped once at start (and populated:
 * the table reads all of it at once). Mapped, not read: a copy costs a fresh
 * page of memory per 4 KiB of directory, and touching fresh pages was most of
 * what a 10,000-entry archive added to start-up. The file cannot change
 * under the mapping: it is this process's own executable (ETXTBSY). */
struct zip_directory {
    int found;             /* an end-of-central-directory record is there */
    const unsigned char *data; /* the central directory, or NULL if not usable */
    void *map;             /* the mapping that holds it */
    size_t map_size;
    size_t size;
    unsigned long entries;
    unsigned long start;   /* its offset as the ZIP states it */
    unsigned long shift;   /* bytes before the ZIP: the interpreter */
};

static unsigned le16(const unsigned char *p) { return p[0] | p[1] << 8; }
static unsigned long le32(const unsigned char *p) { return le16(p) | (unsigned long)le16(p + 2) << 16; }
static unsigned long long le64(const unsigned char *p) { return le32(p) | (unsigned long long)le32(p + 4) << 32; }

/* A ZIP of more than 65,535 entries (directories count) ends in zip64
 * records, which zipimport reads only from 3.13 on: take the count, size and
 * offset from the zip64 end record, just before its locator (as zipfile
 * does: the locator's own offset ignores the bytes before the ZIP). Returns
 * where that record starts, or 0 when there is none. */
static unsigned long read_zip64_end(int fd, unsigned long eocd_position, unsigned long *entries,
                                    unsigned long *size, unsigned long *start)
{
    unsigned char record[56 + 20];
    if (eocd_position < sizeof record
        || pread(fd, record, sizeof record, (off_t)(eocd_position - sizeof record)) != (ssize_t)sizeof record
        || le32(record + 56) != 0x07064b50ul || le32(record) != 0x06064b50ul) {
        return 0;
    }
    *entries = (unsigned long)le64(record + 32);
    *size = (unsigned long)le64(record + 40);
    *start = (unsigned long)le64(record + 48);
    return eocd_position - sizeof record;
}

/* Find the ZIP at the end of the file as zipimport does (the last
 * end-of-central-directory record, and its zip64 record where there is one)
 * and map its central directory. */
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
        unsigned long zip64 = read_zip64_end(fd, position, &zip.entries, &size, &start);
        if (zip64 != 0) {
            position = zip64; /* the directory ends where the zip64 record starts */
        } else if (zip.entries == 0xFFFF || size == 0xFFFFFFFFul || start == 0xFFFFFFFFul) {
            break;
        }
        /* A record is at least 46 bytes: a larger count is a damaged directory
         * (and would overflow the table's allocation). */
        if (position < size || position - size < start || zip.entries > size / 46) {
            break;
        }
        zip.shift = position - size - start;
        zip.start = start;
        zip.size = size;
        unsigned long at = position - size, page = (unsigned long)sysconf(_SC_PAGESIZE);
        zip.map_size = size + at % page;
        zip.map = mmap(NULL, zip.map_size ? zip.map_size : 1, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, (off_t)(at - at % page));
        if (zip.map == MAP_FAILED) {
            zip.map = NULL;
        } else {
            zip.data = (const unsigned char *)zip.map + at % page;
        }
        break;
    }
    close(fd);
    return zip;
}

static void unmap_directory(struct zip_directory *zip)
{
    if (zip->map != NULL) {
        munmap(zip->map, zip->map_size);
        zip->map = NULL;
        zip->data = NULL;
    }
}

/*
 * zipimport's table of the archive's files, as its _read_directory returns it
 * ({name: (path, compress, data_size, file_size, file_offset, time, date,
 * crc)}), but answered from the central directory itself: zipimport's own
 * parse is Python code run at every start, before the first line of the app,
 * and a dict of every entry costs in proportion to the archive (a 5,000-module
 * app paid for 10,000 tuples to import one module). This read-only mapping
 * keeps the entries sorted by name and makes an entry's tuple when asked:
 * start-up stays flat. zipimport only asks `name in table` and `table[name]`;
 * keys(), items(), get() and iteration serve everyone else (pkgutil).
 */
/* An entry is its central directory record (the name follows its 46 bytes):
 * 8 bytes each, for the same reason the directory is mapped. */
typedef const unsigned char *zip_entry;

static const char *entry_name_at(zip_entry e) { return (const char *)e + 46; }
static size_t entry_name_size(zip_entry e) { return le16(e + 28); }

typedef struct {
    PyObject_HEAD
    struct zip_directory zip; /* owned: unmapped with the table */
    zip_entry *entries;
    size_t count;
    PyObject *prefix; /* "<archive>/" */
} ZipTable;

/* Byte order, a name before the longer names it begins. */
static int compare_names(const char *x, size_t x_size, const char *y, size_t y_size)
{
    int order = memcmp(x, y, x_size < y_size ? x_size : y_size);
    if (order == 0 && x_size != y_size) {
        order = x_size < y_size ? -1 : 1;
    }
    return order;
}

static int same_name(zip_entry x, zip_entry y)
{
    return compare_names(entry_name_at(x), entry_name_size(x), entry_name_at(y), entry_name_size(y)) == 0;
}

static int compare_entries(const void *a, const void *b)
{
    zip_entry x = *(const zip_entry *)a, y = *(const zip_entry *)b;
    int order = compare_names(entry_name_at(x), entry_name_size(x), entry_name_at(y), entry_name_size(y));
    if (order == 0) { /* a repeated name: the later record wins, as in zipimport's dict */
        order = x < y ? -1 : x > y;
    }
    return order;
}

/* The entry named `key` (a str), or NULL with no exception set. */
static zip_entry find_entry(ZipTable *table, PyObject *key)
{
    Py_ssize_t size;
    const char *name = PyUnicode_Check(key) ? PyUnicode_AsUTF8AndSize(key, &size) : NULL;
    if (name == NULL) {
        PyErr_Clear();
        return NULL;
    }
    size_t low = 0, high = table->count;
    while (low < high) {
        size_t mid = low + (high - low) / 2;
        zip_entry e = table->entries[mid];
        int order = compare_names(entry_name_at(e), entry_name_size(e), name, (size_t)size);
        if (order < 0) {
            low = mid + 1;
        } else if (order > 0) {
            high = mid;
        } else {
            while (mid + 1 < table->count && same_name(table->entries[mid + 1], e)) {
                mid++;
            }
            return table->entries[mid];
        }
    }
    return NULL;
}

static PyObject *entry_name(zip_entry e)
{
    return PyUnicode_DecodeUTF8(entry_name_at(e), (Py_ssize_t)entry_name_size(e), NULL);
}

static PyObject *entry_tuple(ZipTable *table, zip_entry r)
{
    const char *name = entry_name_at(r);
    size_t stem = entry_name_size(r); /* the path has no trailing slash (zipimport's _path_join) */
    while (stem > 0 && name[stem - 1] == '/') {
        stem--;
    }
    PyObject *inner = PyUnicode_DecodeUTF8(name, (Py_ssize_t)stem, NULL);
    PyObject *path = inner != NULL ? PyUnicode_Concat(table->prefix, inner) : NULL;
    Py_XDECREF(inner);
    if (path == NULL) {
        return NULL;
    }
    return Py_BuildValue("(NIkkkIIk)", path, le16(r + 10), le32(r + 20), le32(r + 24), le32(r + 42) + table->zip.shift,
                         le16(r + 12), le16(r + 14), le32(r + 16));
}

static PyObject *table_subscript(PyObject *self, PyObject *key)
{
    zip_entry e = find_entry((ZipTable *)self, key);
    if (e == NULL) {
        PyErr_SetObject(PyExc_KeyError, key);
        return NULL;
    }
    return entry_tuple((ZipTable *)self, e);
}

static int table_contains(PyObject *self, PyObject *key)
{
    return find_entry((ZipTable *)self, key) != NULL;
}

static Py_ssize_t table_length(PyObject *self)
{
    return (Py_ssize_t)((ZipTable *)self)->count;
}

/* keys() (with_values 0), items() (1) or values() (2), as lists */
static PyObject *table_list(ZipTable *table, int what)
{
    PyObject *list = PyList_New(0);
    for (size_t i = 0; list != NULL && i < table->count; i++) {
        zip_entry e = table->entries[i];
        if (i + 1 < table->count && same_name(table->entries[i + 1], e)) {
            continue; /* shadowed by a later record of the same name */
        }
        PyObject *name = what != 2 ? entry_name(e) : NULL;
        PyObject *value = what != 0 ? entry_tuple(table, e) : NULL;
        PyObject *item = what == 0 ? name : what == 2 ? value : (name && value ? PyTuple_Pack(2, name, value) : NULL);
        if (item == NULL || PyList_Append(list, item) != 0) {
            Py_CLEAR(list);
        }
        if (what == 1) {
            Py_XDECREF(item);
        }
        Py_XDECREF(name);
        Py_XDECREF(value);
    }
    return list;
}

static PyObject *table_keys(PyObject *self, PyObject *Py_UNUSED(unused)) { return table_list((ZipTable *)self, 0); }
static PyObject *table_items(PyObject *self, PyObject *Py_UNUSED(unused)) { return table_list((ZipTable *)self, 1); }
static PyObject *table_values(PyObject *self, PyObject *Py_UNUSED(unused)) { return table_list((ZipTable *)self, 2); }

static PyObject *table_iter(PyObject *self)
{
    PyObject *keys = table_list((ZipTable *)self, 0);
    PyObject *iter = keys != NULL ? PyObject_GetIter(keys) : NULL;
    Py_XDECREF(keys);
    return iter;
}

static PyObject *table_get(PyObject *self, PyObject *args)
{
    PyObject *key, *fallback = Py_None;
    if (!PyArg_UnpackTuple(args, "get", 1, 2, &key, &fallback)) {
        return NULL;
    }
    zip_entry e = find_entry((ZipTable *)self, key);
    if (e == NULL) {
        Py_INCREF(fallback);
        return fallback;
    }
    return entry_tuple((ZipTable *)self, e);
}

static void table_dealloc(PyObject *self)
{
    ZipTable *table = (ZipTable *)self;
    PyTypeObject *type = Py_TYPE(self);
    unmap_directory(&table->zip);
    free(table->entries);
    Py_XDECREF(table->prefix);
    PyObject_Free(self);
    Py_DECREF(type);
}

static PyMethodDef table_methods[] = {
    {"keys", table_keys, METH_NOARGS, NULL},
    {"items", table_items, METH_NOARGS, NULL},
    {"values", table_values, METH_NOARGS, NULL},
    {"get", table_get, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyType_Slot table_slots[] = {
    {Py_mp_subscript, table_subscript},
    {Py_mp_length, table_length},
    {Py_sq_contains, table_contains},
    {Py_tp_iter, table_iter},
    {Py_tp_methods, table_methods},
    {Py_tp_dealloc, table_dealloc},
    {0, NULL},
};

static PyType_Spec table_spec = {"pybin.ZipTable", sizeof(ZipTable), 0, Py_TPFLAGS_DEFAULT, table_slots};

/* The table of the ZIP (which takes the mapping over), or NULL with no
 * exception where zipimport should read it itself: names that are neither
 * ASCII nor flagged UTF-8 (zipimport reads those as cp437), a bad record. */
static PyObject *zip_table(struct zip_directory *zip, PyObject *archive)
{
    zip_entry *entries = malloc((zip->entries ? zip->entries : 1) * sizeof *entries);
    const unsigned char *p = zip->data, *end = zip->data + zip->size;
    size_t count = 0;
    while (entries != NULL && count < zip->entries && (size_t)(end - p) >= 46 && le32(p) == 0x02014b50ul) {
        size_t name_size = le16(p + 28), header = 46 + name_size + le16(p + 30) + le16(p + 32);
        if ((size_t)(end - p) < header || le32(p + 42) > zip->start) {
            break; /* a record running past the directory: nothing of it is read */
        }
        const char *name = entry_name_at(p);
        int readable = 1; /* ASCII, or flagged UTF-8 */
        for (size_t k = 0; k < name_size && !(le16(p + 8) & 0x800); k++) {
            readable &= (unsigned char)name[k] < 0x80;
        }
        if (!readable) {
            break;
        }
        entries[count++] = p;
        p += header;
    }
    PyObject *prefix = NULL;
    PyTypeObject *type = NULL;
    ZipTable *table = NULL;
    if (entries != NULL && count == zip->entries && ((size_t)(end - p) < 4 || le32(p) != 0x02014b50ul)) {
        int sorted = 1; /* pybin writes its ZIPs sorted: check rather than sort */
        for (size_t i = 1; sorted && i < count; i++) {
            sorted = compare_entries(&entries[i - 1], &entries[i]) < 0;
        }
        if (!sorted) {
            qsort(entries, count, sizeof *entries, compare_entries);
        }
        prefix = PyUnicode_FromFormat("%U/", archive);
        type = prefix != NULL ? (PyTypeObject *)PyType_FromSpec(&table_spec) : NULL;
        table = type != NULL ? PyObject_New(ZipTable, type) : NULL;
    }
    Py_XDECREF(type); /* the table holds its own reference */
    if (table == NULL) {
        PyErr_Clear();
        Py_XDECREF(prefix);
        free(entries);
        return NULL;
    }
    table->zip = *zip;
    table->entries = entries;
    table->count = count;
    table->prefix = prefix;
    zip->map = NULL;
    zip->data = NULL;
    return (PyObject *)table;
}

/* Between the core and the main phase of initialisation, before encodings is
 * imported from the ZIP: hand zipimport the table of the ZIP at `path`. Any
 * failure only means zipimport reads the table itself, as it always did. */
static void give_zipimport_its_table(struct zip_directory *zip, const char *path)
{
    PyObject *archive = PyUnicode_DecodeFSDefault(path);
    PyObject *files = archive != NULL && zip->data != NULL ? zip_table(zip, archive) : NULL;
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

/* Is this `sys.executable [interpreter flags] -c CODE` with a CODE above,
 * started by this same binary? Only those exact shapes switch an app binary
 * into interpreter mode, so an app whose own CLI takes -c is never hijacked;
 * and only where the app's bootstrap left PYBIN_CHILD_OF naming this file in
 * the environment its children inherit: whoever chooses only the arguments
 * (a sudoers rule `app *`, a web form) gets the app, never an interpreter. */
static int is_library_child(int argc, char **argv, const char *exe)
{
    const char *parent = getenv("PYBIN_CHILD_OF");
    if (parent == NULL || strcmp(parent, exe) != 0) {
        return 0;
    }
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
                      || is_library_child(argc, argv, exe);
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
        /* Not the toolchain's launcher either: an app binary that lost its
         * ZIP. GNU strip (and packaging that strips by default) drops data
         * appended after the last section; so does a cut-short download. */
        if (access(stdlib_dir, F_OK) != 0) {
            fprintf(stderr, "pybin: %s has lost the app appended to it (stripped or truncated?): "
                            "download or build it again, and do not strip pybin binaries\n", exe);
            return 127;
        }
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
        give_zipimport_its_table(&zip, exe);
    }
    unmap_directory(&zip);
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
