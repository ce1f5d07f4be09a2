#!/usr/bin/env node
// Writes src/toolchain/pinned-toolchains.ts from a toolchain manifest (the
// manifest.json that .github/workflows/toolchains.yml publishes): the release
// then vouches for exactly those archives and unpacked trees. Run it, then
// `npm run bundle`, commit, and tag: `uses: org/pybin-action@<that sha>` then
// pins the interpreters too.
// Usage: node scripts/pin-toolchains.mjs manifest.json
import { readFileSync, writeFileSync } from 'node:fs';

const [file] = process.argv.slice(2);
if (!file) {
  console.error('usage: node scripts/pin-toolchains.mjs manifest.json');
  process.exit(2);
}
const manifest = JSON.parse(readFileSync(file, 'utf8'));
const hex = /^[0-9a-f]{64}$/;
const pins = (manifest.toolchains ?? []).map((t, i) => {
  for (const field of ['recipeHash', 'sha256', 'content']) {
    if (!hex.test(t[field] ?? '')) throw new Error(`${file}: toolchains[${i}].${field} is not 64 hex digits (a manifest from a pybin that records content digests is needed)`);
  }
  return { python: t.python, target: t.target, recipeHash: t.recipeHash, sha256: t.sha256, content: t.content };
});
const target = new URL('../src/toolchain/pinned-toolchains.ts', import.meta.url);
const source = readFileSync(target, 'utf8');
const start = source.indexOf('export const PINNED_TOOLCHAINS');
if (start < 0) throw new Error('PINNED_TOOLCHAINS not found');
const body = pins.length ? `[\n${pins.map((p) => `  ${JSON.stringify(p)},`).join('\n')}\n]` : '[]';
writeFileSync(target, `${source.slice(0, start)}export const PINNED_TOOLCHAINS: readonly PinnedToolchain[] = ${body};\n`);
console.log(`pinned ${pins.length} toolchains in ${target.pathname}`);
