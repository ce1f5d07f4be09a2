import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { patchFiles, pgoWorkload, stdlibCompiler } from './cpython.js';
import { hashOf, sha256 } from '../plumbing/hash.js';
import { launcherSource } from './assemble.js';
import { libraryRecipeIdentity } from './library.js';
import { CPYTHON_BUNDLED_LICENSES, CPYTHON_CONFIGURE_ARGS, CPYTHON_MAKE_TARGETS, CPYTHON_PGO, LIBRARIES, STDLIB_EXCLUDES, type Allocator, type LibraryRecipe, type PythonRecipe } from './recipes.js';
import { resolveSource, type ResolvedSource, type SourceOverrides } from './sources.js';
import { hostTarget, targetKey, type Target } from './targets.js';
import { defaultPython } from './versions.js';

/** Bump when the build code (not the recipes) changes what a toolchain contains. */
const TOOLCHAIN_SCHEMA = 1;

/**
 * What a toolchain request resolves to before anything is built: the pinned
 * recipe, its verified-source pins and the recipe hash, which names the
 * toolchain wherever it was built (prebuilt manifests and caches key on it).
 */
export interface ToolchainPlan {
  recipe: PythonRecipe;
  target: Target;
  pythonSource: ResolvedSource;
  libraries: { recipe: LibraryRecipe; source: ResolvedSource }[];
  recipeHash: string;
}

export function planToolchain(request: { python?: PythonRecipe; target?: Target; sources?: SourceOverrides; allocator?: Allocator }): ToolchainPlan {
  const pinned = request.python ?? defaultPython();
  const recipe = request.allocator ? { ...pinned, allocator: request.allocator } : pinned;
  const overrides = request.sources ?? {};
  const target = request.target ?? hostTarget();
  const pythonSource = resolveSource('cpython', recipe, overrides);
  const libraries = linkedLibraries(recipe, target).map((name) => ({ recipe: LIBRARIES[name], source: resolveSource(name, LIBRARIES[name], overrides) }));
  const recipeHash = hashOf({
    schema: TOOLCHAIN_SCHEMA,
    // `tested` says what our test suite covers, not what is built: left out, so marking a version changes no hash.
    recipe: { ...recipe, url: undefined, tested: undefined, sha256: pythonSource.sha256 },
    configure: CPYTHON_CONFIGURE_ARGS,
    make: CPYTHON_MAKE_TARGETS,
    // Present for profile-guided targets only (Target.profileGuided is not hashed apart).
    ...(target.profileGuided ? { pgo: { ...CPYTHON_PGO, workload: sha256(readFileSync(pgoWorkload())) } } : {}),
    stdlibExcludes: STDLIB_EXCLUDES,
    stdlibCompiler: sha256(readFileSync(stdlibCompiler())),
    licenses: CPYTHON_BUNDLED_LICENSES,
    patches: patchFiles(recipe.version).map((p) => [basename(p), sha256(readFileSync(p))]),
    launcher: sha256(readFileSync(launcherSource())),
    libraries: libraries.map((l) => libraryRecipeIdentity(l.recipe, l.source)),
    target: targetKey(target, 'toolchain'),
  });
  return { recipe, target, pythonSource, libraries, recipeHash };
}

/** The libraries a toolchain builds and links, in build order: the recipe's, and the malloc replacement where musl's would be used. */
export function linkedLibraries(recipe: PythonRecipe, target: Target): LibraryRecipe['name'][] {
  return recipe.mallocReplacement && target.libc === 'musl' ? [...recipe.libraries, recipe.mallocReplacement] : recipe.libraries;
}
