"""multiprocessing's spawn and forkserver children run this module as
__mp_main__: the app's __main__.__spec__ names it (see _pybin_boot). It binds
no name of its own in the namespace the app's script then runs in."""
__import__("_pybin_boot").mp_main(globals())
