"""Read-only access to the app's data files inside the pybin executable.

An app's __file__ is <executable>/pkg/mod.py, a path inside the ZIP appended to
the binary. Code that reads data next to itself (open, os.path.exists/isfile/
isdir, os.listdir, os.scandir, os.stat, and pathlib, which uses them) would get
ENOTDIR. install() wraps those functions: a path under the executable is served
from the ZIP, any other path goes to the original function untouched.
Writing under the executable raises a clear OSError (EROFS).
"""
import builtins
import errno
import io
import os
import stat

_real_open = io.open
_real_stat = os.stat
_real_lstat = os.lstat
_real_listdir = os.listdir
_real_scandir = os.scandir

_archive = None  # the executable's path, set by install()
_prefix = None  # _archive + "/"
_index = None  # {name: ZipInfo or None for a directory}, built on first use
_zip = None


def _entries():
    global _index, _zip
    if _index is None:
        import zipfile  # only when a data file is actually touched

        _zip = zipfile.ZipFile(_archive)
        _index = {"": None}
        for info in _zip.infolist():
            name = info.filename.rstrip("/")
            parts = name.split("/")
            for i in range(1, len(parts)):
                _index.setdefault("/".join(parts[:i]), None)
            _index[name] = None if info.is_dir() else info
    return _index


def _inner(path):
    """The name inside the ZIP for a path under the executable, else None."""
    if isinstance(path, int) or _prefix is None:
        return None
    try:
        path = os.fspath(path)
    except TypeError:
        return None
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    if not (path == _archive or path.startswith(_prefix)):
        if os.path.isabs(path) or not path:
            return None
        path = os.path.join(os.getcwd(), path)
        if not path.startswith(_prefix):
            return None
    return os.path.normpath(path)[len(_prefix):] if path != _archive else ""


def _not_found(path):
    return FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), os.fspath(path))


def _stat_result(name):
    info = _entries()[name]
    if info is None:
        mode, size, mtime = stat.S_IFDIR | 0o555, 0, 0
    else:
        mode, size = stat.S_IFREG | 0o444, info.file_size
        import time

        mtime = int(time.mktime(info.date_time + (0, 0, -1)))
    real = _real_stat(_archive)
    return os.stat_result((mode, 0, real.st_dev, 1, real.st_uid, real.st_gid, size, mtime, mtime, mtime))


def _open(file, mode="r", buffering=-1, encoding=None, errors=None, newline=None, closefd=True, opener=None):
    name = _inner(file)
    if name is None or name == "":
        return _real_open(file, mode, buffering, encoding, errors, newline, closefd, opener)
    if set(mode) & set("wax+"):
        raise OSError(
            errno.EROFS,
            "pybin: files inside the executable are read-only "
            "(write elsewhere, or build with --extract to get real files)",
            os.fspath(file),
        )
    entries = _entries()
    if name not in entries:
        raise _not_found(file)
    if entries[name] is None:
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), os.fspath(file))
    data = io.BytesIO(_zip.read(entries[name]))
    data.name = os.fspath(file)
    if "b" in mode:
        return data
    return io.TextIOWrapper(data, encoding=encoding, errors=errors, newline=newline)


def _stat(path, *, dir_fd=None, follow_symlinks=True):
    name = _inner(path) if dir_fd is None else None
    if name is None or name == "":
        return _real_stat(path, dir_fd=dir_fd, follow_symlinks=follow_symlinks)
    if name not in _entries():
        raise _not_found(path)
    return _stat_result(name)


def _lstat(path, *, dir_fd=None):
    return _stat(path, dir_fd=dir_fd, follow_symlinks=False) if _inner(path) else _real_lstat(path, dir_fd=dir_fd)


def _children(name, path):
    entries = _entries()
    if name not in entries:
        raise _not_found(path)
    if entries[name] is not None:
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), os.fspath(path))
    start = name + "/" if name else ""
    return sorted({n[len(start):].split("/")[0] for n in entries if n.startswith(start) and n != name})


def _listdir(path="."):
    name = _inner(path)
    if name is None:
        return _real_listdir(path)
    return _children(name, path)


class _DirEntry:
    """What os.scandir yields, for an entry inside the executable."""

    def __init__(self, directory, child, inner):
        self.name = child
        self.path = os.path.join(directory, child)
        self._inner = inner

    def is_dir(self, *, follow_symlinks=True):
        return _entries()[self._inner] is None

    def is_file(self, *, follow_symlinks=True):
        return _entries()[self._inner] is not None

    def is_symlink(self):
        return False

    def is_junction(self):
        return False

    def stat(self, *, follow_symlinks=True):
        return _stat_result(self._inner)

    def inode(self):
        return 0

    def __fspath__(self):
        return self.path

    def __repr__(self):
        return f"<DirEntry {self.name!r}>"


class _ScandirIterator:
    def __init__(self, entries):
        self._entries = iter(entries)

    def __iter__(self):
        return self

    def __next__(self):
        return next(self._entries)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        self._entries = iter(())


def _scandir(path="."):
    name = _inner(path)
    if name is None:
        return _real_scandir(path)
    directory = os.fspath(path)
    prefix = name + "/" if name else ""
    return _ScandirIterator([_DirEntry(directory, c, prefix + c) for c in _children(name, path)])


def install(archive):
    """Serve paths under `archive` (the executable) from its ZIP."""
    global _archive, _prefix
    _archive = archive
    _prefix = archive + "/"
    builtins.open = io.open = _open
    # os.path and pathlib look these up on the os module at call time.
    os.stat, os.lstat, os.listdir, os.scandir = _stat, _lstat, _listdir, _scandir
