import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { updateChecksums } from '../plumbing/checksums.js';
import { PybinError } from '../plumbing/errors.js';
import { formatMegabytes } from '../plumbing/format.js';
import { sha256, sha256File } from '../plumbing/hash.js';
import { pybinVersion } from '../plumbing/package-root.js';
import type { Progress } from '../plumbing/progress.js';
import { listFiles } from '../plumbing/tree.js';
import { targetRunner } from '../toolchain/cross.js';
import type { Toolchain } from '../toolchain/toolchain.js';
import { auditBinary } from './audit/audit.js';
import { withBinaryHashes } from './audit/sbom.js';
import type { GlibcRequirement } from './compiled/glibc.js';
import { moveAppMain, zipEntries } from './contents.js';
import type { Entry } from './entry.js';
import { fuse } from './fuse.js';
import type { BundlePlan } from './plan.js';
import { compileAppTree } from './python.js';
import { dependencyFiles, stageForTarget, type ToolchainFor } from './stage.js';
import { runSmokeTest, verifyZipThroughBinary } from './verify.js';
import { writeDeterministicZip } from './zip.js';

/** Node reads a file whole up to 2 GiB (the fuse and the hashes read the ZIP whole); zip64 entry fields start at 4 GiB. */
const ZIP_LIMIT = 2 ** 31 - 1;

export interface BundleResult {
  binary: string;
  name: string;
  /** As in the binary's name: linux, x86_64. */
  os: string;
  arch: string;
  sha256: string;
  size: number;
  /** `<binary>.cdx.json` beside the binary: the CycloneDX SBOM inside it, with the binary's own hashes. */
  sbom: string;
  /** `<binary>.notices.txt` beside the binary: the license notices inside it. */
  notices: string;
  entry: Entry;
  /** The interpreter the binary was fused onto: its target is the one built for. */
  toolchain: Toolchain;
  /** glibc targets: the oldest glibc the binary runs on, and what decided it. */
  requiresGlibc?: GlibcRequirement;
  smokeTest?: { args: string[]; output: string };
}

/** Planned app -> staged tree (for the target its dependencies need) -> .pyc -> SBOM and notices -> deterministic ZIP -> fused, checked binary. */
export async function bundleApp(plan: BundlePlan, toolchainFor: ToolchainFor, progress: Progress): Promise<BundleResult> {
  const { options, name, outDir, binary, os, arch } = plan;
  const work = mkdtempSync(join(outDir, `.pybin-${name}-`));
  try {
    const stage = join(work, 'stage');
    const { toolchain, staged, pipReports } = await stageForTarget(plan, toolchainFor, stage, progress);
    for (const warning of staged.warnings) progress.warn(warning);
    const requiresGlibc = staged.kind === 'compiled' ? staged.glibc : undefined;
    if (requiresGlibc) progress.info(`requires glibc ${requiresGlibc.version} or newer (set by ${requiresGlibc.decidedBy})`);

    const entry = moveAppMain(stage, plan.entry);
    await progress.stage('compile to .pyc', () => compileStage(toolchain, stage, plan.project.name, options.keepSources, progress));

    const launcher = join(toolchain.dir, toolchain.metadata.launcher);
    const audit = auditBinary({
      binary: basename(binary),
      appName: name,
      projectName: plan.project.name,
      pybinVersion: pybinVersion(),
      toolchain,
      stage,
      pipReports,
      entry: plan.entry,
      requiresGlibc: requiresGlibc?.version,
      build: { compression: options.compression, extract: options.extract, keepSources: options.keepSources },
      launcherSha256: sha256(readFileSync(launcher)),
    });
    progress.info(`SBOM: ${audit.distributions.length} distributions, ${toolchain.metadata.components.length} toolchain components`);

    const zip = join(work, 'app.zip');
    await progress.stage('write the ZIP', async () => {
      const compiledIndex = staged.kind === 'compiled' ? staged.index : undefined;
      const entries = await zipEntries(toolchain, stage, entry, options.extract, compiledIndex, work, audit.entries);
      await writeDeterministicZip(entries, zip, options.compression);
      const zipSize = statSync(zip).size;
      if (zipSize > ZIP_LIMIT) throw new PybinError(`the app's ZIP is ${formatMegabytes(zipSize)}, over the 2 GiB a pybin binary can hold: leave large data files out (--exclude)`, 'app');
      progress.info(`ZIP: ${entries.length} files, ${formatMegabytes(zipSize)} (${options.compression})`);
    });

    const fused = join(work, basename(binary));
    const smokeTest = await progress.stage('fuse and check', async () => {
      fuse(launcher, zip, fused);
      return verifyBinary(fused, toolchain, options.smokeTest, progress);
    });
    const beside = { sbom: `${binary}.cdx.json`, notices: `${binary}.notices.txt` };
    const hashes = { binarySha256: await sha256File(fused), zipSha256: await sha256File(zip) };
    writeFileSync(join(work, 'sbom'), withBinaryHashes(audit.sbom, hashes));
    writeFileSync(join(work, 'notices'), audit.notices);
    // The binary comes last: whoever sees it sees its SBOM and notices beside it.
    renameSync(join(work, 'sbom'), beside.sbom);
    renameSync(join(work, 'notices'), beside.notices);
    renameSync(fused, binary);
    await updateChecksums(outDir, [binary, beside.sbom, beside.notices], new Map([[binary, hashes.binarySha256]]));
    const size = statSync(binary).size;
    progress.info(`${basename(binary)}: ${formatMegabytes(size)}, sha256 ${hashes.binarySha256}`);
    return { binary, name, os, arch, sha256: hashes.binarySha256, size, ...beside, entry: plan.entry, toolchain, requiresGlibc, smokeTest };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Compile the stage to .pyc; without sources, each compiled .py goes. A
 * dependency's file that cannot be compiled stays as source, as under pip;
 * one of the app's own is an error.
 */
async function compileStage(toolchain: Toolchain, stage: string, projectName: string | undefined, keepSources: boolean, progress: Progress): Promise<void> {
  const { uncompiled, firstError } = await compileAppTree(toolchain, stage, dependencyFiles(stage, projectName));
  if (uncompiled.length) progress.warn(uncompiledWarning(uncompiled, toolchain.metadata.python, firstError));
  if (keepSources) return;
  for (const file of listFiles(stage).filter((f) => f.endsWith('.py') && existsSync(join(stage, `${f}c`)))) rmSync(join(stage, file));
}

/** The fused binary reads back its ZIP, and passes the smoke test where it can run here. */
async function verifyBinary(fused: string, toolchain: Toolchain, smokeArgs: string[] | undefined, progress: Progress): Promise<BundleResult['smokeTest']> {
  const { target } = toolchain;
  const runner = targetRunner(target);
  await verifyZipThroughBinary(fused, runner, toolchain);
  if (!smokeArgs) return undefined;
  if ('missing' in runner) {
    progress.warn(`--smoke-test skipped: ${basename(fused)} is for ${target.arch} and cannot run on this machine: ${runner.missing}`);
    return undefined;
  }
  return { args: smokeArgs, output: await runSmokeTest(fused, smokeArgs, runner.argv) };
}

/** One line for every dependency file Python could not compile, as pip says it once for a wheel. */
export function uncompiledWarning(files: string[], python: string, firstError: string): string {
  const shown = files.slice(0, 3).join(', ');
  const more = files.length > 3 ? ` and ${files.length - 3} more` : '';
  const count = files.length === 1 ? '1 file' : `${files.length} files`;
  return `${count} of the app's dependencies could not be compiled by Python ${python} and ship as source only (${shown}${more}${firstError ? `; ${firstError}` : ''}): ` +
    'usually files written for another Python version, which this one never imports; pip skips them the same way';
}
