import * as core from '@actions/core';
import { basename } from 'node:path';
import type { BundleResult } from '../bundle/bundle.js';
import type { StageTiming } from '../plumbing/progress.js';
import { checksumsPath, type Published } from '../publish/publish.js';
import { renderSummary } from '../publish/summary.js';

/** The step's outputs (action.yml) and its job summary, from what was built and published. */
export async function writeOutputs(bundle: BundleResult, published: Published, timings: StageTiming[]): Promise<void> {
  const { toolchain } = bundle;
  const outputs: Record<string, string | number | undefined> = {
    'binary-path': bundle.binary,
    'binary-name': basename(bundle.binary),
    sha256: bundle.sha256,
    // The shape actions/attest-build-provenance's subject-digest takes.
    'subject-digest': `sha256:${bundle.sha256}`,
    size: bundle.size,
    'sbom-path': bundle.sbom,
    'notices-path': bundle.notices,
    'checksums-path': checksumsPath(bundle),
    'python-version': toolchain.metadata.python,
    target: toolchain.target.triple,
    'requires-glibc': bundle.requiresGlibc?.version,
    'cache-hit': String(toolchain.hit),
    'interpreter-source': toolchain.source,
    'artifact-id': published.artifact?.id,
    'artifact-url': published.artifact?.url,
    'release-url': published.release?.url,
    'asset-url': published.release?.assetUrl,
    'sbom-asset-url': published.release?.sbomAssetUrl,
  };
  for (const [name, value] of Object.entries(outputs)) core.setOutput(name, value ?? '');

  await core.summary
    .addRaw(
      renderSummary({
        binary: basename(bundle.binary),
        target: toolchain.target.triple,
        runsOn: bundle.requiresGlibc
          ? `Linux ${bundle.arch} with glibc ${bundle.requiresGlibc.version} or newer (set by ${bundle.requiresGlibc.decidedBy})`
          : `any Linux ${bundle.arch} (static)`,
        python: toolchain.metadata.python,
        size: bundle.size,
        sha256: bundle.sha256,
        smokeTest: bundle.smokeTest ? `passed: \`${bundle.smokeTest.args.join(' ')}\`` : 'not run',
        interpreter: toolchain.source,
        timings,
        artifactUrl: published.artifact?.url,
        assetUrl: published.release?.assetUrl,
      }),
    )
    .write();
}

/** The summary says why the job failed too; without a summary file (a local run) there is nothing to write. */
export async function writeFailureSummary(message: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  await core.summary.addRaw(`### ❌ pybin failed\n\n${message}\n`).write();
}
