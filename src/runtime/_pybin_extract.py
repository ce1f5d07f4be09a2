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


MANIFEST = ".pybin-files"  # written last inside an entry: what _intact checks it by


def extract(executable, digest, names):
    """The app's files (top-level `names` of the ZIP), unpacked once per content
    hash into the per-user cache; where that cannot be written or cannot be
    trusted, into a temporary dir of this process's own, removed at exit."""
    parent, why = _cache_dir()
    if parent is not None:
        root = os.path.join(parent, digest)
        try:
            if _intact(root):
                _private_dir(parent)  # another user's parent could swap the entry under us
                return root  # the usual start: nothing more to import
            return _extract_cached(executable, digest, names, parent, root)
        except Refused as refusal:
            why = str(refusal)
        except OSError as error:
            why = "cannot write the cache dir %s (%s)" % (parent, error.strerror or error)
    return _extract_temporary(executable, digest, names, why)


def _private_dir(path):
    """Refused unless `path` is a real directory (not a symlink) of this user
    that nobody else may write: anything else someone else may have planted.
    Its lstat, for more checks."""
    import stat

    info = os.lstat(path)
    if not stat.S_ISDIR(info.st_mode):
        raise Refused("%s is not a directory of its own (a symlink or a file): not using it" % path)
    if info.st_uid != os.getuid() or info.st_mode & 0o022:
        raise Refused("%s belongs to another user or others may write it: not using it" % path)
    return info


# Written beside the unpacked sources when the app imports them; not part of what was unpacked.
_BYTECODE = "__pycache__"


def _intact(root):
    """Is `root` a whole entry this user unpacked: private, and each of its
    directories a real one holding the names it was unpacked with? One
    listdir per directory, not a stat per file: start-up stays flat."""
    import stat

    try:
        if _private_dir(root).st_mode & 0o077:
            return False
        with open(os.path.join(root, MANIFEST), encoding="utf-8") as listing:
            blocks = listing.read().split("\n\n")
        for block in blocks:
            if not block:
                continue
            rel, *names = block.split("\n")
            path = os.path.join(root, rel)
            if not stat.S_ISDIR(os.lstat(path).st_mode):
                return False
            if sorted(n for n in os.listdir(path) if n != _BYTECODE) != names:
                return False
        return True
    except (OSError, ValueError, Refused):
        return False


def _record(root):
    """The manifest _intact checks: every directory's names, the manifest's own included."""
    blocks = []
    for top, dirs, files in os.walk(root):
        names = dirs + files + ([MANIFEST] if top == root else [])
        blocks.append("\n".join([os.path.relpath(top, root)] + sorted(names)))
    with open(os.path.join(root, MANIFEST), "w", encoding="utf-8") as out:
        out.write("\n\n".join(blocks) + "\n\n")


def _extract_cached(executable, digest, names, parent, root):
    import errno
    import fcntl
    import shutil
    import tempfile

    os.makedirs(parent, mode=0o700, exist_ok=True)
    _private_dir(parent)
    with open(os.path.join(parent, digest + ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # concurrent first runs wait here
        if _intact(root):
            return root
        if os.path.lexists(root):
            # Damaged or pruned (or not ours: then removing it fails, and the temporary dir serves).
            print("pybin: the unpacked app in %s is incomplete or not this user's own; unpacking it again" % root, file=sys.stderr)
            if os.path.islink(root) or not os.path.isdir(root):
                os.unlink(root)
            else:
                shutil.rmtree(root)
        work = tempfile.mkdtemp(prefix="." + digest + ".", dir=parent)  # mode 0700
        try:
            _unpack(executable, names, work)
            _record(work)
            os.rename(work, root)  # atomic: root is complete or absent
        except OSError as error:
            shutil.rmtree(work, ignore_errors=True)
            if error.errno not in (errno.EEXIST, errno.ENOTEMPTY) or not _intact(root):
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
    """Write the ZIP's entries under the top-level `names` into dest, never
    outside it, executable bits kept."""
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
            if (info.external_attr >> 16) & 0o111:
                os.chmod(target, 0o755)
