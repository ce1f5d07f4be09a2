import { PybinError } from '../plumbing/errors.js';
import type { Toolchain } from '../toolchain/toolchain.js';
import type { Entry } from './entry.js';
import { outputOf, runToolchainPython } from './python.js';

/**
 * Find a function entry's module and name at build time without running the
 * module: locate it on the staged path, then look for the name among its
 * top-level definitions. (Parent packages are imported, as Python would.)
 */
const FIND_ENTRY = `
import ast, importlib.util, sys
stage, module, attr = sys.argv[1:]
sys.path.insert(0, stage)
try:
    spec = importlib.util.find_spec(module)
except Exception as error:
    print(f"cannot look up module {module}: {type(error).__name__}: {error}"); sys.exit(3)
if spec is None:
    print(f"module {module} is not in the app or its dependencies"); sys.exit(3)
if not (spec.origin or "").endswith(".py"):
    sys.exit(0)
tree = ast.parse(open(spec.origin, "rb").read())
names = set()
def collect(body):
    # Module level, including what if/try/with/for/while blocks there bind (try: import x / except ImportError: def x).
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                names.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                names.add("*" if alias.name == "*" else (alias.asname or alias.name).split(".")[0])
        else:
            for field in ("body", "orelse", "finalbody"):
                collect(getattr(node, field, []) or [])
            for handler in getattr(node, "handlers", []) or []:
                collect(handler.body)
collect(tree.body)
first = attr.split(".")[0]
if first not in names and "*" not in names and "__getattr__" not in names:
    print(f"module {module} ({spec.origin.removeprefix(stage + '/')}) has no top-level {first}"); sys.exit(3)
`;

export async function checkEntry(toolchain: Toolchain, stage: string, entry: Entry): Promise<void> {
  if ('script' in entry) return;
  const result = await runToolchainPython(toolchain, ['-c', FIND_ENTRY, stage, entry.module, entry.attr]);
  if (result.status !== 0) {
    throw new PybinError(`entry point ${entry.module}:${entry.attr}: ${outputOf(result)}`, 'entry');
  }
}
