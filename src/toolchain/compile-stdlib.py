"""Compile the standard library for a toolchain (cpython.ts, compileStdlib).

Usage: python compile-stdlib.py JOBS EXCLUDE_REGEX DIR...

Every .py under each DIR gets an unchecked-hash .pyc beside it (what
`compileall -b --invalidation-mode unchecked-hash` writes), compiled without
its docstrings: they are a seventh of the deflated stdlib, and only help()
and pydoc read them (the stdlib runs under -OO, so it does not need them).
Unlike -OO, asserts and `if __debug__:` blocks stay. The app's own code and
its dependencies are compiled elsewhere, docstrings kept.
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
    with concurrent.futures.ProcessPoolExecutor(int(jobs)) as pool:
        list(pool.map(compile_file, paths, names))
    print(f'compiled {len(paths)} modules without docstrings')


if __name__ == '__main__':
    main()
