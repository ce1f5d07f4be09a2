import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The file in a toolchain's root that says what it is. */
export const METADATA_FILE = 'pybin-toolchain.json';

export interface ToolchainMetadata {
  python: string;
  target: string;
  /** What it was built from, wherever: versions, source hashes, patches, flags, target. */
  recipeHash: string;
  /** recipeHash plus this machine's compiler identity: names the local cache entry. */
  buildKey: string;
  allocator: string;
  /** The profile-guided build's training: its workload file and how many objects it left a profile for. */
  profile?: { workload: string; objects: number };
  builtinModules: string[];
  components: { name: string; version: string; sha256: string; url?: string }[];
  launcher: string;
  /** glibc targets: the highest GLIBC_x.y symbol version the launcher needs (the oldest glibc it runs on). */
  glibcFloor?: string;
  stdlib: string;
  pipWheel: string;
}

export function readToolchainMetadata(dir: string): ToolchainMetadata {
  return JSON.parse(readFileSync(join(dir, METADATA_FILE), 'utf8')) as ToolchainMetadata;
}
