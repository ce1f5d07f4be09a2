import { formatMegabytes, formatSeconds } from '../plumbing/format.js';
import type { StageTiming } from '../plumbing/progress.js';
import { escapeCell } from './markdown.js';

export interface SummaryFacts {
  binary: string;
  target: string;
  /** Where the binary runs: any Linux of its architecture, or the glibc it needs. */
  runsOn: string;
  python: string;
  size: number;
  sha256: string;
  smokeTest: string;
  interpreter: string;
  timings: StageTiming[];
  artifactUrl?: string;
  assetUrl?: string;
}

/** The job summary for one binary, as Markdown: facts first, then where the time went. */
export function renderSummary(facts: SummaryFacts): string {
  const rows: [string, string][] = [
    ['Target', facts.target],
    ['Runs on', facts.runsOn],
    ['Python', facts.python],
    ['Size', `${formatMegabytes(facts.size)} (${facts.size} bytes)`],
    ['SHA-256', `\`${facts.sha256}\``],
    ['Smoke test', facts.smokeTest],
    ['Interpreter', facts.interpreter],
  ];
  if (facts.artifactUrl) rows.push(['Artifact', `[download](${facts.artifactUrl})`]);
  if (facts.assetUrl) rows.push(['Release asset', `[download](${facts.assetUrl})`]);
  const timings = facts.timings.map((t) => `| ${escapeCell(t.label)} | ${formatSeconds(t.ms)} |`);
  return [
    `### 📦 ${facts.binary}`,
    '',
    '| | |',
    '|---|---|',
    ...rows.map(([k, v]) => `| ${k} | ${escapeCell(v)} |`),
    '',
    '| Stage | Time |',
    '|---|---|',
    ...timings,
    '',
  ].join('\n');
}
