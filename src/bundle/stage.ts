import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compareGlibc } from '../plumbing/elf.js';
import { PybinError } from '../plumbing/errors.js';
import type { Progress } from '../plumbing/progress.js';
import type { Target } from '../toolchain/targets.js';
import type { Toolchain } from '../toolchain/toolchain.js';
import type { BundlePlan } from './plan.js';
import { checkEntry } from './entry-check.js';
import { indexCompiled, requiredGlibc, wheelTags, type CompiledIndex, type GlibcRequirement } from './compiled/glibc.js';
import { dropCompiledModules, compiledFilesByDist, staticRefusal } from './compiled/static.js';
import { pipInstall } from './python.js';
import { copyAppFiles } from './copy-app.js';
import { distInfoDirs, distNameOf, normalizeName, recordPaths } from './dist-info.js';
import { glibcTargetFor } from './target.js';
import { isNative } from '../toolchain/cross.js';

/** The interpreter for a target (the pipeline resolves it: cache, download or build). */
export type ToolchainFor = (target: Target) => Promise<Toolchain>;

/** The staged app, by what its target makes of compiled modules: dropped (static), or kept and indexed (glibc). */
export type Staged =
  | { kind: 'pure'; warnings: string[] }
  | { kind: 'compiled'; warnings: string[]; index: CompiledIndex; glibc: GlibcRequirement };

/** A stage and what made it: the toolchain it is for, and pip's reports of what it installed (none for a copied app). */
export interface StagedFor {
  toolchain: Toolchain;
  staged: Staged;
  pipReports: string[];
}

/**
 * Stage the app for the target the plan starts with. A static stage whose
 * dependencies need their compiled modules is refused for an explicit static
 * target, and staged again for the glibc target under --target auto.
 */
export async function stageForTarget(
  plan: BundlePlan,
  toolchainFor: ToolchainFor,
  stage: string,
  progress: Progress,
): Promise<StagedFor> {
  const { initial, auto } = plan.options.target;
  if (initial.libc === 'glibc') return stageForGlibc(plan, await toolchainFor(initial), stage, progress);

  const toolchain = await toolchainFor(initial);
  const { judged: verdict, pipReports } = await progress.stage('stage the app', async () => {
    const reports = await install(plan, toolchain, stage);
    const judged = await dropCompiledModules(toolchain, stage);
    if (judged.needed.length === 0) await checkEntry(toolchain, stage, plan.entry);
    return { judged, pipReports: reports };
  });
  if (verdict.needed.length === 0) return { toolchain, staged: { kind: 'pure', warnings: verdict.warnings }, pipReports };

  const glibc = glibcTargetFor(initial);
  if (!auto) throw staticRefusal(verdict, initial.triple, glibc.triple, isNative(glibc) ? undefined : `an ${glibc.arch} machine (GitHub's ubuntu-24.04-arm runner)`);
  const names = verdict.needed.map((n) => n.name);
  progress.info(`target ${glibc.triple}: ${names.join(', ')} ${names.length === 1 ? 'needs' : 'need'} compiled modules, which only a glibc binary loads`);
  return stageForGlibc(plan, await toolchainFor(glibc), stage, progress);
}

async function stageForGlibc(plan: BundlePlan, toolchain: Toolchain, stage: string, progress: Progress): Promise<StagedFor> {
  return await progress.stage('stage the app', async () => {
    const pipReports = await install(plan, toolchain, stage);
    const staged = compiledStage(toolchain, stage, plan.options.target.glibcCap);
    await checkEntry(toolchain, stage, plan.entry);
    return { toolchain, staged, pipReports };
  });
}

/** The app and its requirements, installed (or copied) into a fresh stage with the target's wheels; pip's reports, beside the stage. */
async function install(plan: BundlePlan, toolchain: Toolchain, stage: string): Promise<string[]> {
  const { options, appDir, appFiles, requirements } = plan;
  const glibcCap = options.target.glibcCap;
  const reports = { app: `${stage}.pip-app.json`, requirements: `${stage}.pip-requirements.json` };
  for (const path of [stage, ...Object.values(reports)]) rmSync(path, { recursive: true, force: true });
  mkdirSync(stage);
  if (appFiles) {
    copyAppFiles(appFiles, stage);
  } else {
    await pipInstall(toolchain, stage, [appDir], `installing ${options.appDir}`, reports.app, glibcCap);
    rmSync(join(stage, 'bin'), { recursive: true, force: true }); // console scripts: the binary is ours
  }
  if (requirements) await pipInstall(toolchain, stage, ['-r', requirements], `installing ${requirements}`, reports.requirements, glibcCap);
  forgetLocalSources(stage);
  return [appFiles ? undefined : reports.app, requirements ? reports.requirements : undefined].filter((r): r is string => r !== undefined);
}

/** A glibc stage keeps its compiled modules: index them for the runtime and work out the glibc the binary needs. */
function compiledStage(toolchain: Toolchain, stage: string, glibcCap: string | undefined): Staged {
  const dists = compiledFilesByDist(stage);
  const bytes = new Map(dists.flatMap((d) => d.files).map((member) => [member, readFileSync(join(stage, member))]));
  const index = indexCompiled(dists, (member) => bytes.get(member)!);
  const warnings = Object.entries(index.unresolved).map(
    ([member, libs]) => `${member} needs ${libs.join(', ')}, which is neither in the binary nor on every manylinux system: the binary needs it installed where it runs`,
  );
  const launcherFloor = toolchain.metadata.glibcFloor;
  if (!launcherFloor) throw new PybinError(`toolchain ${toolchain.dir} records no glibc floor: rebuild it with this pybin`);
  const glibc = requiredGlibc(
    launcherFloor,
    dists.map((d) => ({ name: d.name, tags: d.infoDir ? wheelTags(join(stage, d.infoDir)) : [], files: d.files.map((f) => bytes.get(f)!) })),
  );
  if (glibcCap && compareGlibc(glibc.version, glibcCap) > 0) {
    throw new PybinError(
      `manylinux ${glibcCap}: the binary would need glibc ${glibc.version} (set by ${glibc.decidedBy}). ` +
        (glibc.decidedBy === 'the launcher'
          ? 'This interpreter was built against a newer glibc: use a prebuilt toolchain (built in a manylinux_2_28 container), or build on an older system.'
          : 'Pin an older version of that distribution, or raise the cap.'),
      'manylinux',
    );
  }
  return { kind: 'compiled', warnings, index, glibc };
}

/**
 * pip records where it installed a distribution from a local path in
 * `direct_url.json` (PEP 610): `file:///home/you/checkout`. That path of the
 * build machine would go into every binary, and make two checkouts of one
 * commit build different bytes; nothing at run time needs it. It goes, with
 * its RECORD line.
 */
export function forgetLocalSources(stage: string): void {
  for (const infoDir of distInfoDirs(stage)) {
    const file = join(stage, infoDir, 'direct_url.json');
    if (!existsSync(file)) continue;
    let url: unknown;
    try {
      url = (JSON.parse(readFileSync(file, 'utf8')) as { url?: unknown }).url;
    } catch {
      continue;
    }
    if (typeof url !== 'string' || !url.startsWith('file:')) continue;
    rmSync(file);
    const record = join(stage, infoDir, 'RECORD');
    if (existsSync(record)) {
      const lines = readFileSync(record, 'utf8').split('\n');
      writeFileSync(record, lines.filter((line) => !line.startsWith(`${infoDir}/direct_url.json,`)).join('\n'));
    }
  }
}

/**
 * The files pip installed for the app's dependencies: those listed in the
 * RECORD of every distribution but the project's own. The rest of the stage
 * is the app itself.
 */
export function dependencyFiles(stage: string, projectName: string | undefined): Set<string> {
  const own = projectName === undefined ? undefined : normalizeName(projectName);
  return new Set(distInfoDirs(stage).filter((infoDir) => distNameOf(infoDir) !== own).flatMap((infoDir) => recordPaths(stage, infoDir)));
}
