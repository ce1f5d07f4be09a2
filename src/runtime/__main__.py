"""pybin bootstrap: the ZIP's __main__ for `python3 BINARY`; the launcher runs _pybin_boot itself."""
import _pybin_boot

_pybin_boot.main()
