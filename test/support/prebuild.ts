// Builds (or finds in the cache) every toolchain the test suite uses, in two
// lanes at once: much of a build is serial (configure scripts, the
// profile-guided build's training run), so two builds share two cores better
// than one build after another. The tests then find them in the cache.
// Usage: node --import tsx test/support/prebuild.ts   (.ci/run does, before npm test)
import { CROSS_SKIP } from './cross.js';
import { TEST_PYTHONS, testToolchain } from './toolchain.js';

const started = Date.now();
const newest = TEST_PYTHONS[0]!;
const lanes: (() => Promise<unknown>)[][] = [
  TEST_PYTHONS.map((python) => () => testToolchain(python)),
  [
    ...(TEST_PYTHONS.includes('3.11') ? [() => testToolchain('3.11', 'x86_64-linux-gnu')] : []),
    // Waits for the x86_64 toolchain of the same version (its build Python) where lane one is still building it.
    ...(CROSS_SKIP ? [] : [() => testToolchain(newest, 'aarch64-linux-musl')]),
  ],
];
const runLane = async (builds: (() => Promise<unknown>)[]) => {
  for (const build of builds) await build();
};
await Promise.all(lanes.map(runLane));
console.log(`prebuild: the test suite's toolchains are ready in ${((Date.now() - started) / 1000).toFixed(0)}s`);
