"""Compiled extension modules loaded from the executable's ZIP, from memory.

A glibc launcher can dlopen, but only files: each shared object (an extension
module, or a library auditwheel vendored into `<dist>.libs/`) is copied from
the ZIP (stored, uncompressed) into a memfd_create file and loaded as
/proc/self/fd/N. Nothing is written to disk.

install() puts a finder at sys.meta_path[0] that answers only for the modules
the build listed (one dict lookup per import otherwise). Loading a module:
  1. its vendored libraries (preload, dependency-first) are dlopened through
     their own memfds; each file's name is its SONAME, so the extension's
     DT_NEEDED on it is satisfied by the already-loaded object (its $ORIGIN
     RPATH expands to /proc/self/fd and would find nothing);
  2. the module itself goes through _imp.create_dynamic, as
     ExtensionFileLoader does, with spec.origin set to the memfd path while it
     runs; then __file__ and spec.origin are the virtual path inside the
     executable, <executable>/pkg/mod.cpython-3xx-....so, which the data-file
     hooks (_pybin_files) make readable, so code computing paths from
     __file__ finds its package's data.
Every memfd stays open for the life of the process: glibc's dlopen matches an
already-loaded object by path, so a closed and reused fd number would hand
back the old library. Fork children inherit the memfds and the loaded
objects; spawn/forkserver children start afresh and call install() again.

ctypes: once the app imports ctypes, ctypes._dlopen is wrapped so that
CDLL(<executable>/pkg/libfoo.so), e.g. built from a package's __file__, loads
that member from memory the same way (after its `preload` libraries).

What does not work:
- The .so's __file__ is virtual: Python-level reads (open, os.stat, ...) of it
  work through _pybin_files, anything handing it to the OS or to C does not
  (subprocess tools, C code calling open/dlopen, cffi's ffi.dlopen(path)).
- The dynamic linker knows the objects as /proc/self/fd/N (dl_iterate_phdr,
  dladdr), /proc/self/maps as "/memfd:NAME (deleted)": threadpoolctl cannot
  recognise OpenBLAS & co. (threadpool_limits has no effect), and debuggers
  and profilers may not find symbols.
- Loading an extension by its path (importlib.util.spec_from_file_location
  with a path inside the executable) bypasses the finder and fails.
- A bundled library is found by another only if the build listed it in
  `preload` ($ORIGIN points into /proc/self/fd); C code that dlopens a plugin
  next to itself at run time fails.
- ctypes: only paths inside the executable are served; ctypes.util.find_library
  does not search inside it, and CDLL("libfoo.so") by bare name never reaches
  the ZIP.
- Needs /proc mounted and memfd_create allowed (a seccomp policy may refuse
  it); otherwise the import fails with a one-line ImportError saying so
  (ctypes: OSError).
- Memory: every loaded object occupies its full size in shared memory (not
  paged in from the executable), shared with fork children, not with spawn
  children.

Start-up cost is an import of nothing: os, sys, _imp and the import system
are loaded already, errno is built in; _ctypes is imported when a vendored
library loads, re only to word an error.
"""
import errno
import os
import sys
import _imp
from _thread import RLock
from _frozen_importlib import ModuleSpec
from _frozen_importlib_external import ExtensionFileLoader

_FD_DIR = "/proc/self/fd"  # a constant so that a test can point it elsewhere
_MFD_NOEXEC_SEAL = 0x0008  # Linux 6.3+ (not in os before 3.12); vm.memfd_noexec=2 may refuse a memfd without it

_executable = None  # set by install()
_prefix = None  # _executable + "/"
_extensions = {}  # dotted module name -> ZIP member of its .so
_preload = {}  # ZIP member -> members to dlopen before it, dependency-first
_links = {}  # ZIP member -> [offset, length, member] where it names another member of its cycle
_paths = {}  # ZIP member -> "/proc/self/fd/N" of its memfd (kept open for ever)
_members = {}  # the reverse, for error messages and fd-reuse detection
_handles = {}  # vendored library member -> its dlopen handle
_lock = RLock()  # one memfd per member even when two threads import at once
_ctypes_module = None  # the ctypes module whose _dlopen we wrapped
_installed = False


class _Refused(Exception):
    """A load that cannot happen; its text is the one-line message."""


class _Finder:
    """Answers only for the modules in _extensions."""

    @staticmethod
    def find_spec(name, path=None, target=None):
        # Every import passes here, so this is also where ctypes gets noticed:
        # the first import after ctypes defined _dlopen is its own ctypes._endian.
        if sys.modules.get("ctypes") is not _ctypes_module:
            _hook_ctypes()
        member = _extensions.get(name)
        if member is None:
            return None
        virtual = _prefix + member
        package = os.path.basename(member).startswith("__init__.")
        spec = ModuleSpec(name, _Loader(name, virtual), origin=virtual, is_package=package)
        spec.has_location = True  # so that importlib sets __file__ from origin
        if package:
            spec.submodule_search_locations = [os.path.dirname(virtual)]
        return spec


class _Loader(ExtensionFileLoader):
    """ExtensionFileLoader (so isinstance checks and is_package hold) whose
    path is the virtual one, creating the module from the member's memfd."""

    def create_module(self, spec):
        what = "the compiled module " + spec.name
        try:
            path = _prepare(self.path[len(_prefix):], what)
        except _Refused as error:
            raise ImportError(str(error), name=spec.name, path=self.path) from None
        spec.origin = path  # what create_dynamic dlopens, and caches single-phase modules by
        try:
            module = _imp.create_dynamic(spec)
        except ImportError as error:
            if error.path != path:  # raised by the module's own initialisation
                raise
            raise ImportError(_dlopen_message(what, str(error)), name=spec.name, path=self.path) from None
        finally:
            spec.origin = self.path
        # Single-phase modules get __file__ = the memfd path from create_dynamic,
        # Cython's multi-phase ones copy it from spec.origin: make it the virtual one.
        try:
            module.__file__ = self.path
        except (AttributeError, TypeError):  # a create slot returned a non-module
            pass
        return module


def _prepare(member, what):
    """The memfd path to dlopen for `member`, its vendored libraries loaded."""
    with _lock:
        for library in _preload.get(member, ()):
            if library not in _handles:
                _load_library(library, "%s, needed by %s" % (library, what))
        return _memfd_path(member, what)


def _load_library(member, what):
    path = _memfd_path(member, what)
    try:
        import _ctypes  # what ctypes.CDLL calls; not ctypes itself, which the app may never import
    except ImportError:
        raise _Refused(
            "pybin: cannot load %s: this launcher has no _ctypes (a pybin build problem; please report it)" % what
        ) from None
    try:
        _handles[member] = _ctypes.dlopen(path)  # RTLD_NOW | RTLD_LOCAL
    except OSError as error:
        raise _Refused(_dlopen_message(what, str(error))) from None


def _memfd_path(member, what):
    """/proc/self/fd/N holding the member's bytes, created on first use.
    Libraries that need each other get their memfds together, each copy
    naming the others by path: dlopen of one then maps them all. Nothing of
    a set that failed halfway is kept (its next import tries again)."""
    path = _paths.get(member)
    if path is not None:
        return path
    cycle = [member]
    for library in cycle:  # grows as it goes: everything linked from member
        cycle.extend(target for _, _, target in _links.get(library, ()) if target not in cycle)
    made = {}
    try:
        for library in cycle:
            made[library] = _new_memfd(library, what)
        paths = {library: _FD_DIR + "/" + str(fd) for library, fd in made.items()}
        for library, fd in made.items():
            _name_linked(library, fd, paths, what)
    except BaseException:
        for fd in made.values():
            os.close(fd)
        raise
    for library, path in paths.items():
        _paths[library] = path
        _members[path] = library
    return paths[member]


def _name_linked(member, fd, paths, what):
    """Write, over each name of a linked library in member's copy (fd), that
    library's memfd path (glibc opens a needed name with a / as a path)."""
    for offset, length, target in _links.get(member, ()):
        path = os.fsencode(paths[target])
        if len(path) > length:
            raise _Refused(
                "pybin: cannot load %s: %s and %s need each other, and the name to replace (%d bytes) is shorter "
                "than the memory path %s" % (what, member, target, length, paths[target])
            )
        try:
            os.pwrite(fd, path + b"\0", offset)
        except OSError as error:
            raise _Refused("pybin: cannot load %s: writing into the copy of %s failed (%s)" % (what, member, error.strerror or error)) from None


def _new_memfd(member, what):
    """A new memfd holding the member's bytes (its fd; not yet registered)."""
    if not os.path.isdir(_FD_DIR):
        raise _Refused(
            "pybin: cannot load %s: /proc is not mounted (compiled code is loaded from memory "
            "through /proc/self/fd); run the program where /proc is mounted" % what
        )
    name = os.path.basename(member)[:200]  # shows in /proc/self/maps; the kernel allows 249 bytes
    try:
        try:
            fd = os.memfd_create(name, os.MFD_CLOEXEC | _MFD_NOEXEC_SEAL)
        except OSError as error:
            if error.errno != errno.EINVAL:  # EINVAL: a kernel before 6.3
                raise
            fd = os.memfd_create(name, os.MFD_CLOEXEC)
    except OSError as error:
        raise _Refused(
            "pybin: cannot load %s: memfd_create was refused (%s); compiled code is loaded from memory, "
            "allow memfd_create where the program runs (a seccomp policy may block it)"
            % (what, error.strerror or error)
        ) from None
    # If the app closed one of our memfds, the kernel can reuse its number, and
    # dlopen would return the library already loaded under that path: move on.
    spare = []
    while _FD_DIR + "/" + str(fd) in _members:
        spare.append(fd)
        fd = os.dup(fd)  # non-inheritable, like the memfd
    for extra in spare:
        os.close(extra)
    try:
        _copy_member(member, fd)
    except OSError as error:
        os.close(fd)
        if isinstance(error, FileNotFoundError):
            reason = "it is not in the executable" if what == member else member + " is not in the executable"
        else:
            reason = "copying %s into memory failed (%s)" % (member, error.strerror or error)
        raise _Refused("pybin: cannot load %s: %s" % (what, reason)) from None
    return fd


def _copy_member(member, fd):
    """Write the member's bytes into fd."""
    if _send_member(member, fd):
        return
    os.ftruncate(fd, 0)  # after a partial copy
    os.lseek(fd, 0, os.SEEK_SET)
    reader = sys.path_importer_cache.get(_executable)  # the zipimporter that imported the stdlib
    if getattr(reader, "get_data", None) is None:
        import zipimport

        reader = zipimport.zipimporter(_executable)
    try:
        data = reader.get_data(_prefix + member)
    except OSError as error:
        if error.errno:
            raise
        raise FileNotFoundError(errno.ENOENT, "not in the executable", member) from None  # zipimport's errno 0
    except ImportError as error:  # ZipImportError: a damaged archive
        raise OSError(errno.EIO, str(error)) from None
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _send_member(member, fd):
    """Copy a stored member with sendfile, inside the kernel: faster than
    get_data + write (bench/compiled.ts) and no bytes object of the member's
    size. Its offset comes from zipimport's index (private, but its
    entries have had this shape since 3.8); False if anything is unexpected."""
    try:
        import zipimport

        # (path, compress, data_size, file_size, local header offset, time, date, crc)
        entry = zipimport._zip_directory_cache[_executable][member]
        compress, data_size, size, offset = entry[1:5]
    except (ImportError, AttributeError, LookupError, TypeError, ValueError):
        return False
    if compress != 0 or data_size != size:
        return False
    source = os.open(_executable, os.O_RDONLY | os.O_CLOEXEC)
    try:
        # The local header: its name and extra field vary in length. Its name is
        # checked too, in case the executable was replaced on disk since start.
        name = os.fsencode(member)
        header = os.pread(source, 30 + len(name), offset)
        if header[:4] != b"PK\x03\x04" or header[30:] != name:
            return False
        start = offset + 30 + int.from_bytes(header[26:28], "little") + int.from_bytes(header[28:30], "little")
        done = 0
        while done < size:
            sent = os.sendfile(fd, source, start + done, size - done)
            if not sent:  # truncated: get_data will say so
                return False
            done += sent
        return True
    finally:
        os.close(source)


def _dlopen_message(what, error):
    """One line from a dlerror text: memfd paths named as members, and what to do."""
    import re

    text = re.sub(r"/proc/self/fd/\d+", lambda m: _members.get(m.group(0), m.group(0)), error.strip())
    text = " ".join(text.split())
    missing = text.partition(": cannot open shared object file")
    if missing[1] and any(os.path.basename(lib) == missing[0] for libs in _preload.values() for lib in libs):
        advice = "it is inside the executable but was not loaded first (a pybin build problem; please report it)"
    elif missing[1]:
        advice = "the binary needs that library installed on this system"
    elif "GLIBC_" in text and "not found" in text:
        advice = "this system's glibc is older than the module needs"
    elif "undefined symbol: Py" in text or "undefined symbol: _Py" in text:
        advice = "the launcher does not export Python's C API (a pybin build problem; please report it)"
    else:
        advice = "it cannot be loaded on this system"
    return "pybin: cannot load %s: %s; %s" % (what, text, advice)


def _member_of(name):
    """The ZIP member a ctypes path names, or None for a path outside the executable."""
    try:
        name = os.fspath(name)
    except TypeError:
        return None
    if isinstance(name, bytes):
        name = os.fsdecode(name)
    if not isinstance(name, str) or "/" not in name:  # None (the program itself), or a bare name
        return None
    try:
        path = os.path.abspath(name)
    except OSError:  # a relative path, and the current directory is gone
        return None
    return path[len(_prefix):] if path.startswith(_prefix) else None


def _hook_ctypes():
    """Wrap ctypes._dlopen (which CDLL calls) once ctypes has defined it."""
    global _ctypes_module
    ctypes = sys.modules.get("ctypes")
    real = getattr(ctypes, "_dlopen", None)
    if real is None:  # not imported, or still importing
        return
    _ctypes_module = ctypes
    if getattr(real, "_pybin", False):
        return

    def _dlopen(name, *args, **kwargs):
        member = _member_of(name)
        if member is not None:
            try:
                name = _prepare(member, member)
            except _Refused as error:
                raise OSError(str(error)) from None
        return real(name, *args, **kwargs)

    _dlopen._pybin = True
    ctypes._dlopen = _dlopen


def _after_fork_in_child():
    # Another thread may have held the lock at the fork: it would stay held for ever.
    global _lock
    _lock = RLock()


def install(executable, extensions, preload, links=None):
    """executable: path of the binary (= the ZIP archive path on sys.path).
    extensions: dict dotted module name -> ZIP member path of its .so.
    preload: dict ZIP member path of an extension (or of a vendored library)
    -> ZIP member paths of the vendored libraries to load before it,
    dependency-first.
    links: dict ZIP member path of a library -> [offset, length, member] of
    each name in it of a library on a dependency cycle with it.
    Installs a meta path finder at sys.meta_path[0]; idempotent."""
    global _executable, _prefix, _extensions, _preload, _links, _installed
    _executable = executable
    _prefix = executable + "/"
    _extensions = extensions
    _preload = preload
    _links = links or {}
    if not _installed:
        os.register_at_fork(after_in_child=_after_fork_in_child)
        _installed = True
    _hook_ctypes()  # if something imported ctypes already
    if sys.meta_path[:1] != [_Finder]:
        if _Finder in sys.meta_path:
            sys.meta_path.remove(_Finder)
        sys.meta_path.insert(0, _Finder)
