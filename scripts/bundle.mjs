#!/usr/bin/env node
// Bundles the Action (dist/index.js) and the CLI (dist/cli.js) as ESM for node.
import { build } from 'esbuild';

await build({
  entryPoints: { index: 'src/index.ts', cli: 'src/cli.ts' },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  legalComments: 'none',
  logLevel: 'warning',
  // Some dependencies are CommonJS and call require(); give the ESM bundle one.
  // The CycloneDX library loads its XML writers and schema validators only when
  // called; pybin writes JSON and validates only in its tests.
  external: ['xmlbuilder2', 'libxmljs2', 'ajv', 'ajv-formats', 'ajv-formats-draft2019'],
  banner: { js: "import { createRequire as __pybinCreateRequire } from 'node:module'; const require = __pybinCreateRequire(import.meta.url);" },
});
