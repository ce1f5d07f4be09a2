"""Read-only access to the app's data files inside the pybin executable.

An app's __file__ is <executable>/pkg/mod.py, a path inside the ZIP appended to
the binary. Code that reads data next to itself (open, os.path.exists/isfile/
isdir, os.listdir, os.scandir, os.stat, and pathlib, glob, shutil, which use
them) would get ENOTDIR. install() wraps those functions: a path under the
executable is served from the ZIP as if the binary were a directory on a
read-only filesystem, any other path goes to the original function untouched.
Writing under the executable raises a clear OSError (EROFS).

This module is imported at every start, so it imports only modules that are
loaded already or built in; zipfile, zlib and time are imported on first use.
"""
import builtins
import errno
import io
import os
import stat
from _thread import allocate_lock

_real_open = io.open
_real_stat = os.stat
_real_lstat = os.lstat
_real_listdir = os.listdir
_real_scandir = os.scandir
_real_listxattr = getattr(os, "listxattr", None)  # Linux only

_executable = None  # the executable's path (canonical: the launcher resolves it), set by install()
_prefix = None  # _executable + "/"
_base = None  # its last component, for a quick "cannot be about us" test
_parts = None  # its components, for paths that step into it and out again
_state = None  # _State, built on first use and published in one assignment
_lock = allocate_lock()  # guards building _state and reopening its descriptor


class _State:
    """The ZIP's index and a descriptor to read it through.

    Reads use os.pread, which has no shared file offset: threads read side by
    side, and a forked child can use the inherited descriptor while the parent
    does too (a seek+read through one shared offset would interleave).
    """

    __slots__ = ("fd", "ident", "entries", "children", "ino_base", "dev", "uid", "gid", "blksize")


def _reset_lock():
    # A fork while another thread held the lock would leave it held for ever in the child.
    global _lock
    _lock = allocate_lock()


def _load():
    global _state
    state = _state
    if state is not None:
        return state
    with _lock:
        if _state is None:
            _state = _build()
        return _state


def _build():
    import zipfile  # only when a data file is actually touched

    fd = os.open(_executable, os.O_RDONLY | os.O_CLOEXEC)
    try:
        # The index is read through the descriptor kept for reads, so both are one file
        # even if the executable is replaced on disk meanwhile.
        with _real_open(fd, "rb", closefd=False) as file, zipfile.ZipFile(file) as zip_file:
            infos = zip_file.infolist()
        real = os.fstat(fd)
    except BaseException:
        os.close(fd)
        raise
    s = _State()
    s.fd, s.ident = fd, (real.st_dev, real.st_ino)
    s.dev, s.uid, s.gid, s.blksize = real.st_dev, real.st_uid, real.st_gid, real.st_blksize
    # Inode numbers: distinct per entry and stable for this file (they follow the ZIP's
    # order), distinct between two binaries on one device (the executable's own inode
    # is mixed in), clear of the small numbers real files have, and within 53 bits
    # (they survive a trip through a double, as JSON read by JavaScript).
    s.ino_base = 1 << 52 | (real.st_ino & 0xFFFFF) << 32
    # name -> [is_dir, ZipInfo (for an implicit directory: its first file's), inode]
    entries = {"": [True, None, real.st_ino]}
    children = {"": {}}  # directory name -> {child name: None}, in ZIP order
    for info in infos:
        name = info.filename.strip("/")
        if not name:
            continue
        parent = ""
        path = ""
        for part in name.split("/"):
            path = path + "/" + part if path else part
            if path not in entries:
                is_dir = path != name or info.is_dir()
                entries[path] = [is_dir, info, s.ino_base + len(entries)]
                children.setdefault(parent, {})[part] = None  # setdefault: a file "x" beside "x/..."
                if is_dir:
                    children[path] = {}
            elif path == name:
                entries[path][1] = info  # an explicit directory entry after its files
            parent = path
    s.entries = entries
    s.children = {name: sorted(kids) for name, kids in children.items() if entries[name][0]}
    return s


def _ours(state):
    try:
        real = os.fstat(state.fd)
    except OSError:
        return False
    return (real.st_dev, real.st_ino) == state.ident


def _fd(state):
    """The descriptor to read through, reopened if the app closed it (a daemon
    closing every descriptor): checked, so that a number reused by another file
    is never read as the ZIP."""
    if _ours(state):
        return state.fd
    with _lock:
        if _ours(state):  # another thread reopened it
            return state.fd
        fd = os.open(_executable, os.O_RDONLY | os.O_CLOEXEC)
        real = os.fstat(fd)
        if (real.st_dev, real.st_ino) != state.ident:
            os.close(fd)
            raise OSError(errno.ESTALE, "pybin: the executable was replaced on disk while running", _executable)
        state.fd = fd
        return fd


def _pread(fd, size, offset):
    chunks = []
    while size > 0:
        chunk = os.pread(fd, min(size, 1 << 30), offset)
        if not chunk:
            raise OSError(errno.EIO, "pybin: the executable's ZIP is truncated", _executable)
        chunks.append(chunk)
        size -= len(chunk)
        offset += len(chunk)
    return b"".join(chunks)


def _read(info, path):
    """An entry's bytes, checked against its CRC (as zipfile would)."""
    import zlib

    fd = _fd(_load())
    header = _pread(fd, 30, info.header_offset)  # the local header: names and extra vary in length
    if header[:4] != b"PK\x03\x04":
        raise OSError(errno.EIO, "pybin: bad local header in the executable's ZIP", path)
    start = info.header_offset + 30 + int.from_bytes(header[26:28], "little") + int.from_bytes(header[28:30], "little")
    data = _pread(fd, info.compress_size, start)
    if info.compress_type == 8:
        data = zlib.decompress(data, -15)
    elif info.compress_type != 0:
        raise OSError(errno.ENOTSUP, f"pybin: ZIP compression method {info.compress_type} is not supported", path)
    if len(data) != info.file_size or zlib.crc32(data) != info.CRC:
        raise OSError(errno.EIO, "pybin: corrupt entry in the executable's ZIP", path)
    return data


def _locate(path):
    """(name inside the ZIP or None, the path to give the original function).

    A path is normalised as the kernel would resolve it if the binary were a
    directory: relative to the cwd, with ., .. and // folded, so that
    <exe>/pkg/../pkg/a.txt is pkg/a.txt and <exe>/../x is the real file next to
    the executable. A trailing slash ("dir only") is kept on the name.
    """
    if isinstance(path, int) or _executable is None:  # a descriptor
        return None, path
    try:
        text = os.fspath(path)
    except TypeError:
        return None, path
    as_bytes = isinstance(text, bytes)
    if as_bytes:
        text = os.fsdecode(text)
    if text.startswith("/") and "/." not in text and "//" not in text:  # already normal: the usual case
        if text == _executable:
            return "", path
        if text.startswith(_prefix):
            return text[len(_prefix):], path
        return None, path
    if _base not in text:  # the cwd is a real directory, never inside: the name must be in the path
        return None, path
    if not text.startswith("/"):
        try:
            text = os.getcwd() + "/" + text
        except OSError:
            return None, path
    norm = "/" + os.path.normpath(text).lstrip("/")
    dir_only = text.endswith(("/", "/.", "/.."))
    if norm == _executable or norm.startswith(_prefix):
        if norm == _executable:  # <exe>/pkg/..: the executable itself, as a file
            return "", os.fsencode(norm) if as_bytes else norm
        name = norm[len(_prefix):]
        return (name + "/" if dir_only else name), path
    if not _steps_through(text):
        return None, path
    if dir_only and norm != "/":
        norm += "/"
    return None, os.fsencode(norm) if as_bytes else norm


def _steps_through(path):
    """Whether resolving `path` component by component enters the executable."""
    stack = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if stack == _parts:  # a component follows the executable
            return True
        if part == "..":
            if stack:
                stack.pop()
        else:
            stack.append(part)
    return False


def _error(code, path):
    return OSError(code, os.strerror(code), os.fspath(path))


def _entry(name, path):
    """The index entry for `name`, or the error the kernel gives for `path`."""
    entries = _load().entries
    key = name.rstrip("/")
    entry = entries.get(key)
    if entry is None:
        parent = key
        while parent and parent not in entries:  # a/file.txt/b: ENOTDIR, as on disk
            parent = parent.rpartition("/")[0]
        raise _error(errno.ENOENT if entries[parent][0] else errno.ENOTDIR, path)
    if key != name and not entry[0]:
        raise _error(errno.ENOTDIR, path)
    return entry


def _stat_result(entry, name):
    s = _load()
    is_dir, info, ino = entry
    # The modes pybin stored (0o644, 0o755), as a read-only mount shows them: shutil.copy
    # and copytree copy modes, and their copies must stay writable as real ones would.
    perm = stat.S_IMODE(info.external_attr >> 16) if info.is_dir() == is_dir else 0
    if is_dir:
        mode, size = stat.S_IFDIR | (perm or 0o755), 0
        nlink = 2 + sum(s.entries[f"{name}/{c}" if name else c][0] for c in s.children.get(name, ()))
    else:
        mode, size, nlink = stat.S_IFREG | (perm or 0o644), info.file_size, 1
    import time

    try:  # a ZIP time is local time, as zipfile writes it
        seconds = int(time.mktime(info.date_time + (0, 0, -1)))
    except (OverflowError, ValueError):
        seconds = 315532800  # 1980-01-01, the earliest a ZIP can say
    ns = seconds * 1_000_000_000
    # The ten indexable fields, then the named-only ones: without them st_mtime_ns,
    # st_blocks, ... would be None.
    return os.stat_result(
        (mode, ino, s.dev, nlink, s.uid, s.gid, size, seconds, seconds, seconds),
        {
            "st_atime": float(seconds), "st_mtime": float(seconds), "st_ctime": float(seconds),
            "st_atime_ns": ns, "st_mtime_ns": ns, "st_ctime_ns": ns,
            "st_blksize": s.blksize, "st_blocks": (size + 511) // 512, "st_rdev": 0,
        },
    )


def _open(file, mode="r", buffering=-1, encoding=None, errors=None, newline=None, closefd=True, opener=None):
    name, real = _locate(file)
    if not name:
        return _real_open(real, mode, buffering, encoding, errors, newline, closefd, opener)
    if set(mode) & set("wax+"):
        raise OSError(
            errno.EROFS,
            "pybin: files inside the executable are read-only "
            "(write elsewhere, or build with --extract to get real files)",
            os.fspath(file),
        )
    entry = _entry(name, file)
    if entry[0]:
        raise _error(errno.EISDIR, file)
    data = io.BytesIO(_read(entry[1], file))
    data.name = os.fspath(file)
    if "b" in mode:
        return data
    return io.TextIOWrapper(data, encoding=encoding, errors=errors, newline=newline)


def _stat(path, *, dir_fd=None, follow_symlinks=True):
    name, real = _locate(path) if dir_fd is None else (None, path)
    if not name:
        return _real_stat(real, dir_fd=dir_fd, follow_symlinks=follow_symlinks)
    return _stat_result(_entry(name, path), name.rstrip("/"))


def _lstat(path, *, dir_fd=None):
    name, real = _locate(path) if dir_fd is None else (None, path)
    if not name:
        return _real_lstat(real, dir_fd=dir_fd)
    return _stat_result(_entry(name, path), name.rstrip("/"))


def _children(name, path):
    """(the directory's name, its children's names), or the kernel's error."""
    if not _entry(name, path)[0]:
        raise _error(errno.ENOTDIR, path)
    name = name.rstrip("/")
    return name, _load().children.get(name, [])


def _listdir(path="."):
    name, real = _locate(path)
    if name is None:
        return _real_listdir(real)
    _, kids = _children(name, path)
    if isinstance(os.fspath(path), bytes):
        return [os.fsencode(k) for k in kids]
    return list(kids)


class _DirEntry:
    """What os.scandir yields, for an entry inside the executable."""

    __slots__ = ("name", "path", "_entry", "_inner")

    def __init__(self, name, path, entry, inner):
        self.name = name
        self.path = path
        self._entry = entry
        self._inner = inner

    def is_dir(self, *, follow_symlinks=True):
        return self._entry[0]

    def is_file(self, *, follow_symlinks=True):
        return not self._entry[0]

    def is_symlink(self):
        return False

    def is_junction(self):
        return False

    def stat(self, *, follow_symlinks=True):
        return _stat_result(self._entry, self._inner)

    def inode(self):
        return self._entry[2]

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
    name, real = _locate(path)
    if name is None:
        return _real_scandir(real)
    inner, kids = _children(name, path)
    entries = _load().entries
    directory = os.fspath(path)  # name and path as given: bytes in, bytes out
    found = []
    for kid in kids:
        key = inner + "/" + kid if inner else kid
        shown = os.fsencode(kid) if isinstance(directory, bytes) else kid
        found.append(_DirEntry(shown, os.path.join(directory, shown), entries[key], key))
    return _ScandirIterator(found)


def _listxattr(path=None, *, follow_symlinks=True):
    # shutil.copy2 and copytree copy extended attributes: entries have none.
    name, real = _locate(path)
    if not name:
        return _real_listxattr(real, follow_symlinks=follow_symlinks)
    _entry(name, path)
    return []


def install(executable):
    """Serve paths under `executable` (this binary) from its ZIP."""
    global _executable, _prefix, _base, _parts
    _executable = executable
    _prefix = executable + "/"
    _base = os.path.basename(executable)
    _parts = executable.split("/")[1:]
    os.register_at_fork(after_in_child=_reset_lock)
    builtins.open = io.open = _open
    # os.path, pathlib, glob and shutil look these up on the os module at call time.
    os.stat, os.lstat, os.listdir, os.scandir = _stat, _lstat, _listdir, _scandir
    if _real_listxattr is not None:
        os.listxattr = _listxattr
    # The wrappers pass descriptors, dir_fd and follow_symlinks on to the
    # originals for real paths, so they support what those do: shutil.rmtree
    # and os.fwalk choose their symlink-race-safe code by these sets, and
    # rmtree.avoids_symlink_attacks must stay True as under python3.
    wrapped = ((_real_stat, _stat), (_real_lstat, _lstat), (_real_listdir, _listdir), (_real_scandir, _scandir), (_real_listxattr, _listxattr))
    for supports in (os.supports_dir_fd, os.supports_fd, os.supports_follow_symlinks, os.supports_effective_ids):
        supports.update(ours for real, ours in wrapped if real is not None and real in supports)
