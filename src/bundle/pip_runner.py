"""Runs pip from its wheel for pybin, with the target's wheel tags.

Every pip process of a build goes through this file: pybin starts it, and pip's
build isolation starts it again (we hand pip this file as its "runnable pip")
to install build backends. Environment:
  PYBIN_PIP_WHEEL        pip's wheel, imported from directly
  PYBIN_WHEEL_PLATFORMS  JSON list of platform tags, best first
  PYBIN_PURE_FIRST       "1": prefer pure wheels to platform wheels of the same
                         version (the target cannot load compiled modules)
  PYBIN_TARGET_MACHINE   the target's machine (aarch64) when the build host's
                         Python runs pip for another architecture: markers
                         such as platform_machine then say the target's
"""
import json
import os
import platform
import runpy
import sys

sys.path.insert(0, os.environ["PYBIN_PIP_WHEEL"])

import pip._internal.build_env as build_env  # noqa: E402
import pip._internal.models.target_python as target_python  # noqa: E402
import pip._internal.utils.compatibility_tags as compatibility_tags  # noqa: E402

PLATFORMS = json.loads(os.environ["PYBIN_WHEEL_PLATFORMS"])
PURE_FIRST = os.environ.get("PYBIN_PURE_FIRST") == "1"
_get_supported = compatibility_tags.get_supported


def get_supported(version=None, platforms=None, impl=None, abis=None):
    """pip's tag list, for the target's platforms unless pip was given --platform.

    A static interpreter's own platform cannot be detected (no glibc, and
    packaging finds the musl version through the executable's PT_INTERP).
    """
    tags = _get_supported(version, platforms or PLATFORMS, impl, abis)
    if PURE_FIRST and not platforms:
        tags = [t for t in tags if t.platform == "any"] + [t for t in tags if t.platform != "any"]
    return tags


compatibility_tags.get_supported = target_python.get_supported = get_supported
for user in ("pip._internal.resolution.resolvelib.factory", "pip._internal.commands.check"):
    try:  # these import get_supported by name
        module = __import__(user, fromlist=["get_supported"])
        if hasattr(module, "get_supported"):
            module.get_supported = get_supported
    except ImportError:
        pass
build_env.get_runnable_pip = lambda: os.path.abspath(__file__)

if os.environ.get("PYBIN_TARGET_MACHINE"):
    platform.machine = lambda: os.environ["PYBIN_TARGET_MACHINE"]

try:
    # pip 22.3 (bundled with 3.11) probes glibc with ctypes.CDLL(None), which
    # raises in a static interpreter; newer pips catch that themselves.
    import pip._internal.utils.glibc as glibc

    glibc.glibc_version_string_ctypes = lambda: None
except (ImportError, AttributeError):
    pass

runpy.run_module("pip", run_name="__main__", alter_sys=True)
