import type { ToolchainIdentity } from './manifest.js';

/**
 * A prebuilt toolchain this release of pybin vouches for (see pins.ts): its
 * archive's and its unpacked tree's digests.
 */
export interface PinnedToolchain extends ToolchainIdentity {
  /** sha256 of the .tar.gz. */
  sha256: string;
  /** The unpacked tree's content digest (see content.ts). */
  content: string;
}

/**
 * The prebuilt toolchains this release vouches for. Written by
 * scripts/pin-toolchains.mjs from the manifest the release publishes, before
 * dist/ is bundled and the release is tagged; empty while none is published:
 * the Action's default manifest is then not used, and interpreters are built.
 */
export const PINNED_TOOLCHAINS: readonly PinnedToolchain[] = [];
