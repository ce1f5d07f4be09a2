import type { ToolchainIdentity } from './manifest.js';
import { PINNED_TOOLCHAINS, type PinnedToolchain } from './pinned-toolchains.js';

export type { PinnedToolchain };

/**
 * The pin for exactly this toolchain, if this release has one. Pins are
 * bundled into dist/ when a release is cut, so that `uses:
 * org/pybin-action@<sha>` pins the interpreter as well as the code: a
 * manifest entry, a release asset or a cache entry swapped later is refused.
 */
export function pinFor(identity: ToolchainIdentity, pins: readonly PinnedToolchain[] = PINNED_TOOLCHAINS): PinnedToolchain | undefined {
  return pins.find((p) => p.python === identity.python && p.target === identity.target && p.recipeHash === identity.recipeHash);
}
