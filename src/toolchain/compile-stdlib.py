"""Compile the standard library for a toolchain (cpython.ts, compileStdlib).

Usage: python compile-stdlib.py JOBS EXCLUDE_REGEX DIR...

Every .py under each DIR gets an unchecked-hash .pyc beside it (what
`compileall -b --invalidation-mode unchecked-hash` writes), compiled without
its docstrings: they are a seventh of the deflated stdlib, and only help()
and pydoc read them (the stdlib runs under -OO, so it does not need them).
Unlike -OO, asserts and `if __debug__:` blocks stay. Run under
`-X no_debug_ranges`: the code keeps its line numbers but not the columns
of each instruction (a fifth of the deflated stdlib), which only the carets
under a traceback's source line use, and a binary has no stdlib source to
show. The app's own code and its dependencies are compiled elsewhere, with
their docstrings and columns.
"""
import ast
import concurrent.futures
import importlib.util
import os
import re
import sys
from importlib._bootstrap_external import _code_to_hash_pyc


class DropDocstrings(ast.NodeTransformer):
    """The first statement of a module, class or function body, when it is a string literal."""

    def drop(self, node):
        self.generic_visit(node)
        first = node.body[0] if node.body else None
        if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
            # A body cannot be empty: a docstring-only body becomes `pass` on the same line.
            node.body = node.body[1:] or [ast.copy_location(ast.Pass(), first)]
        return node

    visit_Module = visit_ClassDef = visit_FunctionDef = visit_AsyncFunctionDef = drop


def require_no_debug_ranges():
    # The flag is not passed on to worker processes that are not forked: check each one.
    if next(compile('x', '', 'eval').co_positions())[2] is not None:
        sys.exit('compile-stdlib.py must run under -X no_debug_ranges')


def compile_file(path, display_name):
    with open(path, 'rb') as f:
        source = f.read()
    tree = DropDocstrings().visit(ast.parse(source, display_name))
    code = compile(tree, display_name, 'exec', dont_inherit=True)
    with open(path + 'c', 'wb') as f:
        f.write(_code_to_hash_pyc(code, importlib.util.source_hash(source), checked=False))


def main():
    jobs, exclude, *dirs = sys.argv[1:]
    excluded = re.compile(exclude)
    paths, names = [], []
    for top in dirs:
        for root, subdirs, files in os.walk(top):
            subdirs.sort()
            for path in (os.path.join(root, f) for f in sorted(files) if f.endswith('.py')):
                if not excluded.search(path):
                    paths.append(path)
                    # co_filename and tracebacks name it relative to its DIR, as compileall's -s did.
                    names.append(os.path.relpath(path, top))
    require_no_debug_ranges()
    with concurrent.futures.ProcessPoolExecutor(int(jobs), initializer=require_no_debug_ranges) as pool:
        list(pool.map(compile_file, paths, names))
    print(f'compiled {len(paths)} modules without docstrings or columns')


if __name__ == '__main__':
    main()
