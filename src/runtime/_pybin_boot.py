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


def _speed_up_zipimport():
    """Two fast paths for imports from this executable's ZIP, the only thing
    on sys.path. zipimport reads, inflates and unmarshals a module twice: for
    its spec's file name (get_filename), then to run it (get_code); the first
    result is kept for the second call. And it opens the file for each module
    (a buffered reader, ~8 system calls); reads here go through one
    descriptor with pread, checked to still be this file before each use."""
    import _thread
    import zipimport
    import zlib

    archive = getattr(__loader__, "archive", None)
    if archive is None:  # not run from a ZIP
        return
    load_code, read_data = zipimport._get_module_code, zipimport._get_data
    kept = [None]
    opened = [None, None]  # descriptor, (st_dev, st_ino)
    # One thread reopens at a time (two would each open one, and one would
    # leak); a fork child gets a fresh lock, as another thread may hold this one.
    reopening = [_thread.allocate_lock()]
    os.register_at_fork(after_in_child=lambda: reopening.__setitem__(0, _thread.allocate_lock()))

    def _get_module_code(importer, fullname):
        hit = kept[0]
        if hit is not None and hit[0] is importer and hit[1] == fullname:
            kept[0] = None
            return hit[2]
        result = load_code(importer, fullname)
        kept[0] = (importer, fullname, result)
        return result

    def _open_still():
        fd = opened[0]
        if fd is not None:
            try:
                st = os.fstat(fd)
                if (st.st_dev, st.st_ino) == opened[1]:
                    return fd
            except OSError:
                pass  # the app closed it
        return None

    def _descriptor():
        fd = _open_still()
        if fd is not None:
            return fd
        with reopening[0]:
            fd = _open_still()  # another thread may have reopened it meanwhile
            if fd is None:
                fd = os.open(archive, os.O_RDONLY | os.O_CLOEXEC)
                st = os.fstat(fd)
                opened[:] = fd, (st.st_dev, st.st_ino)
            return fd

    def _get_data(path, toc_entry):
        compress, data_size, offset = toc_entry[1], toc_entry[2], toc_entry[4]
        if path != archive or compress not in (0, 8):
            return read_data(path, toc_entry)
        try:
            fd = _descriptor()
            header = os.pread(fd, 30, offset)
            if header[:4] == b"PK\x03\x04":
                start = offset + 30 + int.from_bytes(header[26:28], "little") + int.from_bytes(header[28:30], "little")
                data = os.pread(fd, data_size, start)
                if len(data) == data_size:
                    return data if compress == 0 else zlib.decompress(data, -15)
        except OSError:
            pass
        return read_data(path, toc_entry)  # zipimport's own read, and its own errors

    zipimport._get_module_code, zipimport._get_data = _get_module_code, _get_data


_speed_up_zipimport()


def main():
    """Run the app's entry point as the executable's __main__."""
    # The launcher lets a multiprocessing or execnet child shape (sys.executable
    # -c "from multiprocessing...") into interpreter mode only where this names
    # it: children of this app inherit it, a command line alone cannot set it.
    os.environ["PYBIN_CHILD_OF"] = sys.executable
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

            _pybin_native.install(executable, CONFIG["extensions"], CONFIG["preload"], CONFIG["links"])
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
    import _pybin_extract  # only for --extract builds: it keeps this module small

    try:
        root = _pybin_extract.extract(executable, digest, set(CONFIG["app"]))
    except _pybin_extract.Refused as error:
        sys.exit("pybin: " + str(error))
    sys.path.insert(0, root)
    return root


def _excepthook(kind, value, tb):
    import traceback

    traceback.print_exception(kind, value, tb)


def _read(path):
    """A file's bytes; inside the executable through zipimport, whose index is
    already loaded (open() would build the data-file index, importing zipfile)."""
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
