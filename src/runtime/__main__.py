"""pybin bootstrap: the executable's __main__. `pybin build` fills in CONFIG.

It makes the app's data files readable where the app expects them (from the
ZIP, or extracted once with --extract), then runs the entry point.
"""
import os
import sys

CONFIG = {}  # replaced at build time, see src/bundle/bootstrap.ts


def _extract(archive, digest, names):
    """Unpack the app's files once per content hash into the per-user cache."""
    import errno
    import fcntl
    import shutil
    import tempfile
    import zipfile

    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    parent = os.path.join(cache, "pybin", "apps")
    root = os.path.join(parent, digest)
    if os.path.isdir(root):
        return root
    os.makedirs(parent, exist_ok=True)
    with open(os.path.join(parent, digest + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # concurrent first runs wait here
        if os.path.isdir(root):
            return root
        work = tempfile.mkdtemp(prefix="." + digest + ".", dir=parent)
        try:
            with zipfile.ZipFile(archive) as z:
                for info in z.infolist():
                    if info.filename.split("/")[0] not in names:
                        continue
                    dest = os.path.realpath(os.path.join(work, info.filename))
                    if not dest.startswith(work + os.sep):  # zip-slip: never write outside
                        raise RuntimeError("pybin: unsafe path in archive: " + info.filename)
                    if info.is_dir():
                        os.makedirs(dest, exist_ok=True)
                        continue
                    os.makedirs(os.path.dirname(dest), exist_ok=True)
                    with z.open(info) as src, open(dest, "wb") as out:
                        shutil.copyfileobj(src, out)
            os.rename(work, root)
        except OSError as error:
            shutil.rmtree(work, ignore_errors=True)
            if error.errno not in (errno.EEXIST, errno.ENOTEMPTY):
                raise
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
    return root


def _read(path):
    """A file's bytes; inside the executable through zipimport, whose index is
    already loaded (open() would build the data-file index: ~30 ms of imports)."""
    archive = getattr(__loader__, "archive", None)
    if archive and path.startswith(archive + os.sep):
        return __loader__.get_data(path)
    with open(path, "rb") as file:
        return file.read()


def _run_script(path):
    """Run a script entry as `python path` would: a fresh __main__, its dir first on sys.path."""
    import marshal
    import types

    try:
        code = compile(_read(path), path, "exec")
    except OSError:  # built with --no-sources: the compiled script
        code = marshal.loads(_read(path + "c")[16:])
    main = types.ModuleType("__main__")
    main.__file__ = path
    main.__builtins__ = __builtins__
    sys.modules["__main__"] = main
    sys.path.insert(0, os.path.dirname(path))
    exec(code, main.__dict__)


def _run_function(module, attr):
    import importlib

    target = importlib.import_module(module)
    for part in attr.split("."):
        target = getattr(target, part)
    sys.exit(target())


def main():
    archive = os.path.dirname(os.path.abspath(__file__))
    if CONFIG["extract"]:
        root = _extract(archive, CONFIG["extract"], set(CONFIG["app"]))
        sys.path.insert(0, root)
    else:
        import _pybin_files

        _pybin_files.install(archive)
        root = archive
    entry = CONFIG["entry"]
    if "script" in entry:
        _run_script(os.path.join(root, entry["script"]))
    else:
        _run_function(entry["module"], entry["attr"])


main()
