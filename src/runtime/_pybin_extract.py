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


MANIFEST = ".pybin-files"  # written last inside an entry: what was unpacked, to check it by


def extract(executable, digest, names):
    """The app's files (top-level `names` of the ZIP), unpacked once per content
    hash into the per-user cache; where that cannot be written or cannot be
    trusted, into a temporary dir of this process's own, removed at exit."""
    parent, why = _cache_dir()
    if parent is not None:
        root = os.path.join(parent, digest)
        try:
            return _extract_cached(executable, digest, names, parent, root)
        except Refused as refusal:
            why = str(refusal)
        except OSError as error:
            why = "cannot write the cache dir %s (%s)" % (parent, error.strerror or error)
    return _extract_temporary(executable, digest, names, why)


def _private_dir(path):
    """Refused unless `path` is a real directory (not a symlink) of this user
    that nobody else may write: anything else someone else may have planted."""
    import stat

    info = os.lstat(path)
    if not stat.S_ISDIR(info.st_mode):
        raise Refused("%s is not a directory of its own (a symlink or a file): not using it" % path)
    if info.st_uid != os.getuid() or info.st_mode & 0o022:
        raise Refused("%s belongs to another user or others may write it: not using it" % path)


def _intact(root):
    """Is `root` a whole entry this user unpacked: private, every file and dir
    of its manifest in place with its size, none of them a symlink?"""
    import stat

    try:
        _private_dir(root)
        if os.lstat(root).st_mode & 0o077:
            return False
        with open(os.path.join(root, MANIFEST), encoding="utf-8") as listing:
            lines = listing.read().splitlines()
        for line in lines:
            kind, size, name = line.split(" ", 2)
            info = os.lstat(os.path.join(root, name))
            if kind == "d" and not stat.S_ISDIR(info.st_mode):
                return False
            if kind != "d" and (not stat.S_ISREG(info.st_mode) or info.st_size != int(size)):
                return False
        return True
    except (OSError, ValueError, Refused):
        return False


def _extract_cached(executable, digest, names, parent, root):
    import errno
    import fcntl
    import shutil
    import tempfile

    os.makedirs(parent, mode=0o700, exist_ok=True)
    _private_dir(parent)
    if _intact(root):
        return root
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
    outside it, executable bits kept; then the manifest _intact checks."""
    import shutil
    import zipfile

    base = os.path.realpath(dest)  # dest may be reached through a symlink
    listing = []
    with zipfile.ZipFile(executable) as z:
        for info in z.infolist():
            if info.filename.split("/")[0] not in names:
                continue
            target = os.path.realpath(os.path.join(base, info.filename))
            if not target.startswith(base + os.sep):  # zip-slip: never write outside
                raise Refused("refusing to unpack %r: it points outside %s" % (info.filename, dest))
            name = os.path.relpath(target, base)
            if info.is_dir():
                os.makedirs(target, exist_ok=True)
                listing.append("d 0 " + name)
                continue
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with z.open(info) as src, open(target, "wb") as out:
                shutil.copyfileobj(src, out)
            if (info.external_attr >> 16) & 0o111:
                os.chmod(target, 0o755)
            listing.append("f %d %s" % (info.file_size, name))
    with open(os.path.join(dest, MANIFEST), "w", encoding="utf-8") as out:
        out.write("\n".join(listing) + "\n")
