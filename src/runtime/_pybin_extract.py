"""pybin --extract: the app's files unpacked once per content hash into the
per-user cache (or, where that cannot be written, into a temporary dir of the
process's own), for apps that need real files. Imported by _pybin_boot only
in binaries built with --extract.
"""
import os
import sys


class Refused(Exception):
    """A failure to report in one line, without a traceback."""


def _cache_dir():
    """The per-user cache for extracted apps, or why there is none."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):
        home = os.environ.get("HOME", "")
        if not os.path.isabs(home):
            return None, "neither XDG_CACHE_HOME nor HOME is set"
        base = os.path.join(home, ".cache")
    return os.path.join(base, "pybin", "apps"), None


def extract(executable, digest, names):
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
        raise Refused("%s, and no temporary dir is writable (%s)" % (why, error.strerror or error))
    owner = os.getpid()

    def remove():
        if os.getpid() == owner:  # not a fork of this process that exits first
            shutil.rmtree(root, ignore_errors=True)

    atexit.register(remove)
    try:
        _unpack(executable, names, root)
    except OSError as error:
        raise Refused("%s, and unpacking into %s failed (%s)" % (why, root, error.strerror or error))
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
                raise Refused("refusing to unpack %r: it points outside %s" % (info.filename, dest))
            if info.is_dir():
                os.makedirs(target, exist_ok=True)
                continue
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with z.open(info) as src, open(target, "wb") as out:
                shutil.copyfileobj(src, out)
