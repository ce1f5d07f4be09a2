"""pybin bootstrap: the executable's __main__ (see _pybin_boot)."""
import _pybin_boot

_pybin_boot.main()
