"""pybin bootstrap, run by the executable's __main__. `pybin build` fills in CONFIG.

It makes the app's data files readable where the app expects them (from the
ZIP, or extracted once with --extract) and, on glibc targets, its compiled
modules importable from memory, then runs the entry point.

multiprocessing: spawn and forkserver children start the executable as
`python -c "from multiprocessing..."` (the launcher runs that shape as python,
with the ZIP as sys.path). To unpickle what the parent sends, a child re-runs
the parent's main module, found by `__main__.__spec__.name`, as __mp_main__.
The app's __main__ therefore names _pybin_mp_main, which calls mp_main(): the
same data-file set-up and, for a script entry, the script run in that
namespace, so that `__main__.work` resolves in the child as with `python app.py`.

Start-up stays cheap: os and sys (already loaded), site (frozen) for exit and
quit, and the zipimporter's get_data.
"""
import os
import sys

CONFIG = {}  # replaced at build time, see src/bundle/bootstrap.ts

MP_MAIN = "_pybin_mp_main"  # what multiprocessing's children run as __mp_main__


def _load_zip_code_once():
    """zipimport reads, inflates and unmarshals a module twice: once for its
    spec's file name (get_filename) and again to run it (get_code). Keep the
    first result for the second call: every import from the ZIP costs half."""
    import zipimport

    load = zipimport._get_module_code
    kept = [None]

    def _get_module_code(importer, fullname):
        hit = kept[0]
        if hit is not None and hit[0] is importer and hit[1] == fullname:
            kept[0] = None
            return hit[2]
        result = load(importer, fullname)
        kept[0] = (importer, fullname, result)
        return result

    zipimport._get_module_code = _get_module_code


_load_zip_code_once()


class _Refused(Exception):
    """A failure to report in one line, without a traceback."""


def main():
    """Run the app's entry point as the executable's __main__."""
    _add_site_builtins()
    try:
        _run(_prepare(child=False))
    except KeyboardInterrupt:
        if sys.version_info < (3, 13):
            _ready_to_print()
        raise
    except Exception as error:
        refusal = _load_refusal(error)
        if refusal:
            sys.exit(refusal)
        raise


def _add_site_builtins():
    """What site would add for the app: exit, quit, help, copyright, credits
    and license. The launcher does not run site in app mode (the ZIP has no
    site-packages to find); importing it now, frozen, runs none of its main()."""
    import site

    site.ENABLE_USER_SITE = False  # as site.main() decides in isolated mode
    site.setquit()
    site.setcopyright()
    site.sethelper()


def _load_refusal(error):
    """_pybin_native's one-line reason when a compiled module could not be
    loaded (no /proc, memfd refused, a missing system library), also where a
    package re-raised it as its own error (numpy does, with a page of advice
    that does not apply)."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, ImportError) and str(error).startswith("pybin: cannot load "):
            return str(error)
        error = error.__cause__ or error.__context__
    return None


def _ready_to_print():
    """Import now what printing the traceback will: 3.11 and 3.12 exit by
    SIGINT after an uncaught KeyboardInterrupt only if nothing is imported
    while its traceback prints (then they exit 1)."""
    import traceback  # noqa: F401 (our excepthook's)

    files = sys.modules.get("_pybin_files")
    if files is not None:
        files._load()  # the ZIP index, read for source lines


def _run(root):
    spec = type(__spec__)(MP_MAIN, None)
    entry = CONFIG["entry"]
    if "script" in entry:
        # As `python path` would: a fresh __main__ whose directory leads sys.path.
        path = os.path.join(root, entry["script"])
        code = _script_code(path)
        module = type(sys)("__main__")
        module.__file__ = path
        module.__spec__ = spec
        module.__builtins__ = sys.modules["builtins"]
        sys.modules["__main__"] = module
        folder = os.path.dirname(path)
        if sys.path[:1] != [folder]:
            sys.path.insert(0, folder)
        exec(code, module.__dict__)
    else:
        sys.modules["__main__"].__spec__ = spec
        __import__(entry["module"])  # importlib.import_module would import importlib for this
        target = sys.modules[entry["module"]]
        for part in entry["attr"].split("."):
            target = getattr(target, part)
        sys.exit(target())


def mp_main(namespace):
    """multiprocessing's spawn and forkserver children: _pybin_mp_main runs this
    as __mp_main__ (in namespace) before they unpickle anything."""
    root = _prepare(child=True)
    namespace["__spec__"] = type(__spec__)(MP_MAIN, None)  # grandchildren find it too
    entry = CONFIG["entry"]
    if "script" in entry:
        path = os.path.join(root, entry["script"])
        namespace.pop("__cached__", None)
        namespace.update(__file__=path, __loader__=None, __package__=None, __doc__=None)
        exec(_script_code(path), namespace)


def _prepare(child):
    """Make the app's files readable where the app expects them; returns the
    directory the app's files are in (the executable itself, or --extract's)."""
    executable = os.path.dirname(os.path.abspath(__file__))
    digest = CONFIG["extract"]
    if not digest:
        import _pybin_files

        _pybin_files.install(executable)
        if CONFIG["compiled"]:  # glibc targets: compiled modules and libraries load from memory
            import _pybin_native

            _pybin_native.install(executable, CONFIG["extensions"], CONFIG["preload"])
        if sys.version_info < (3, 13) and not child:
            # Before 3.13 the default hook prints tracebacks in C, which shows
            # source lines only from files with a descriptor; the traceback
            # module reads them through the data-file hooks, as 3.13's does.
            sys.excepthook = _excepthook
        return executable
    if child:
        # multiprocessing's prepare() gave the child its parent's sys.path, which
        # holds the parent's extraction (the cache's, or its temporary one).
        for path in sys.path:
            name = os.path.basename(path)
            if (name == digest or name.startswith("pybin-" + digest + "-")) and os.path.isdir(path):
                return path
    try:
        root = _extract(executable, digest, set(CONFIG["app"]))
    except _Refused as error:
        sys.exit("pybin: " + str(error))
    sys.path.insert(0, root)
    return root


def _excepthook(kind, value, tb):
    import traceback

    traceback.print_exception(kind, value, tb)


def _read(path):
    """A file's bytes; inside the executable through zipimport, whose index is
    already loaded (open() would build the data-file index: ~30 ms of imports)."""
    archive = getattr(__loader__, "archive", None)
    if archive and path.startswith(archive + os.sep):
        return __loader__.get_data(path)
    with open(path, "rb") as file:
        return file.read()


def _script_code(path):
    """A script entry's code: the .pyc compiled beside it at build time (its
    source, if kept, is only for tracebacks), else compiled from the source."""
    data = None
    if path.endswith(".py"):
        try:
            data = _read(path + "c")
        except OSError:
            pass
    import _frozen_importlib_external  # already loaded: the import system

    if data is not None and data[:4] == _frozen_importlib_external.MAGIC_NUMBER:
        import _imp
        import marshal

        code = marshal.loads(memoryview(data)[16:])  # after the header: magic, flags, hash
        _imp._fix_co_filename(code, path)  # compiled with a relative path; tracebacks want this one
        return code
    return compile(_read(path), path, "exec")


def _cache_dir():
    """The per-user cache for extracted apps, or why there is none."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):
        home = os.environ.get("HOME", "")
        if not os.path.isabs(home):
            return None, "neither XDG_CACHE_HOME nor HOME is set"
        base = os.path.join(home, ".cache")
    return os.path.join(base, "pybin", "apps"), None


def _extract(executable, digest, names):
    """The app's files (top-level `names` of the ZIP), unpacked once per content
    hash into the per-user cache; where that cannot be written, into a
    temporary dir of this process's own, removed at exit."""
    parent, why = _cache_dir()
    if parent is not None:
        root = os.path.join(parent, digest)
        if os.path.isdir(root):
            return root
        try:
            return _extract_cached(executable, digest, names, parent, root)
        except OSError as error:
            why = "cannot write the cache dir %s (%s)" % (parent, error.strerror or error)
    return _extract_temporary(executable, digest, names, why)


def _extract_cached(executable, digest, names, parent, root):
    import errno
    import fcntl
    import shutil
    import tempfile

    os.makedirs(parent, exist_ok=True)
    with open(os.path.join(parent, digest + ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # concurrent first runs wait here
        if os.path.isdir(root):
            return root
        work = tempfile.mkdtemp(prefix="." + digest + ".", dir=parent)
        try:
            _unpack(executable, names, work)
            os.rename(work, root)  # atomic: root is complete or absent
        except OSError as error:
            shutil.rmtree(work, ignore_errors=True)
            if error.errno not in (errno.EEXIST, errno.ENOTEMPTY) or not os.path.isdir(root):
                raise
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
    return root


def _extract_temporary(executable, digest, names, why):
    import atexit
    import shutil
    import tempfile

    try:
        root = tempfile.mkdtemp(prefix="pybin-" + digest + "-")
    except OSError as error:
        raise _Refused("%s, and no temporary dir is writable (%s)" % (why, error.strerror or error))
    owner = os.getpid()

    def remove():
        if os.getpid() == owner:  # not a fork of this process that exits first
            shutil.rmtree(root, ignore_errors=True)

    atexit.register(remove)
    try:
        _unpack(executable, names, root)
    except OSError as error:
        raise _Refused("%s, and unpacking into %s failed (%s)" % (why, root, error.strerror or error))
    print("pybin: %s; unpacked the app into %s for this run (removed at exit)" % (why, root), file=sys.stderr)
    return root


def _unpack(executable, names, dest):
    """Write the ZIP's entries under the top-level `names` into dest, never outside it."""
    import shutil
    import zipfile

    base = os.path.realpath(dest)  # dest may be reached through a symlink
    with zipfile.ZipFile(executable) as z:
        for info in z.infolist():
            if info.filename.split("/")[0] not in names:
                continue
            target = os.path.realpath(os.path.join(base, info.filename))
            if not target.startswith(base + os.sep):  # zip-slip: never write outside
                raise _Refused("refusing to unpack %r: it points outside %s" % (info.filename, dest))
            if info.is_dir():
                os.makedirs(target, exist_ok=True)
                continue
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with z.open(info) as src, open(target, "wb") as out:
                shutil.copyfileobj(src, out)
