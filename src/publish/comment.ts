import { formatMegabytes } from '../plumbing/format.js';
import { compareCodeUnits } from '../plumbing/order.js';
import { isReadOnlyTokenError, type Octokit, type Repository } from './github-context.js';
import { escapeCell } from './markdown.js';

/** One binary in the preview comment. */
export interface PreviewRow {
  binary: string;
  target: string;
  size: number;
  sha256: string;
  artifactUrl?: string;
}

export interface UpsertPreviewCommentOptions {
  octokit: Octokit;
  repo: Repository;
  issueNumber: number;
  /** This job's binaries: they replace rows of the same name, other jobs' rows stay. */
  rows: PreviewRow[];
  warn: (message: string) => void;
}

/** Marks the one comment pybin keeps on a pull request. */
export const PREVIEW_MARKER = '<!-- pybin-preview -->';
/** Each row's data rides along in a hidden comment, so the next job can read the rows back. */
const ROW_DATA = /^<!-- pybin-row (.*) -->$/gm;

/**
 * Adds this job's rows to the pull request's preview comment, creating it the
 * first time. Matrix jobs each bring their own rows; two that update at the
 * same moment can drop one another's rows (last write wins), and two that both
 * find no comment create two: later jobs then update the oldest.
 * Undefined when the token may not comment.
 */
export async function upsertPreviewComment(options: UpsertPreviewCommentOptions): Promise<{ url: string } | undefined> {
  const { octokit, repo, issueNumber } = options;
  try {
    const existing = await findPreviewComment(octokit, repo, issueNumber);
    const body = renderPreviewComment(mergePreviewRows(parsePreviewRows(existing?.body ?? ''), options.rows));
    const { data } = existing
      ? await octokit.rest.issues.updateComment({ ...repo, comment_id: existing.id, body })
      : await octokit.rest.issues.createComment({ ...repo, issue_number: issueNumber, body });
    return { url: data.html_url };
  } catch (error) {
    if (!isReadOnlyTokenError(error)) throw error;
    options.warn(
      `the token may not comment on pull request #${issueNumber} (${(error as Error).message}), so the preview comment was skipped. ` +
        'Pull requests from forks get a read-only token; otherwise give the workflow `permissions: pull-requests: write`.',
    );
    return undefined;
  }
}

/** The Actions token's own bot: the author of what it writes, though it may not ask GET /user who it is. */
const ACTIONS_BOT = 'github-actions[bot]';

/** The login the token writes comments as: a personal token's user, else the Actions bot. */
async function tokenLogin(octokit: Octokit): Promise<string> {
  try {
    return (await octokit.rest.users.getAuthenticated()).data.login;
  } catch (error) {
    if ((error as { status?: number }).status === 403) return ACTIONS_BOT;
    throw error;
  }
}

/** The preview comment this token wrote; one with the marker by anyone else is left alone (its rows are never read). */
async function findPreviewComment(octokit: Octokit, repo: Repository, issueNumber: number) {
  const login = await tokenLogin(octokit);
  const comments = await octokit.paginate(octokit.rest.issues.listComments, { ...repo, issue_number: issueNumber, per_page: 100 });
  return comments.find((c) => c.user?.login === login && c.body?.includes(PREVIEW_MARKER));
}

/** The comment's Markdown: a table for people, then each row's data for the next job. */
export function renderPreviewComment(rows: PreviewRow[]): string {
  const table = rows.map((row) => {
    const name = escapeCell(row.binary).replace(/[[\]]/g, '\\$&');
    const binary = row.artifactUrl ? `[${name}](${row.artifactUrl})` : name;
    return `| ${binary} | ${escapeCell(row.target)} | ${formatMegabytes(row.size)} | \`${escapeCell(row.sha256)}\` |`;
  });
  // JSON never has < or > outside strings, so escaping them keeps `-->` out of the hidden comment.
  const data = rows.map((row) => `<!-- pybin-row ${JSON.stringify(row).replace(/</g, '\\u003c').replace(/>/g, '\\u003e')} -->`);
  return [PREVIEW_MARKER, '### 📦 pybin binaries', '', '| Binary | Target | Size | SHA-256 |', '|---|---|---|---|', ...table, '', ...data, ''].join('\n');
}

/** The rows a comment rendered by renderPreviewComment carries; anything unreadable is left out. */
export function parsePreviewRows(body: string): PreviewRow[] {
  const rows: PreviewRow[] = [];
  for (const [, json = ''] of body.matchAll(ROW_DATA)) {
    try {
      const row = JSON.parse(json) as Partial<PreviewRow>;
      if (typeof row.binary !== 'string' || typeof row.target !== 'string' || typeof row.size !== 'number' || typeof row.sha256 !== 'string') continue;
      rows.push({
        binary: row.binary,
        target: row.target,
        size: row.size,
        sha256: row.sha256,
        ...(typeof row.artifactUrl === 'string' && { artifactUrl: row.artifactUrl }),
      });
    } catch {
      // A row someone edited by hand: the job that built it puts it back next time.
    }
  }
  return rows;
}

/** `theirs` with `ours` replacing rows of the same binary, sorted by binary. */
export function mergePreviewRows(theirs: PreviewRow[], ours: PreviewRow[]): PreviewRow[] {
  const byBinary = new Map([...theirs, ...ours].map((row) => [row.binary, row]));
  return [...byBinary.values()].sort((a, b) => compareCodeUnits(a.binary, b.binary));
}
