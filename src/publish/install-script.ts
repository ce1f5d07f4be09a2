import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BINARY_NAME } from '../bundle/plan.js';
import { PybinError } from '../plumbing/errors.js';
import { packageRoot } from '../plumbing/package-root.js';

export interface InstallScriptOptions {
  /** The binary's base name (`myapp` for `myapp-linux-x86_64`). */
  name: string;
  /** The release's download root, `https://github.com/OWNER/REPO/releases/download/TAG`, no trailing slash. */
  downloadUrl: string;
}

/** The characters RFC 3986 allows in a URL. Spaces, backticks, double quotes, backslashes... are refused rather than encoded. */
const URL_CHARACTERS = /^[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]+$/;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost']);

/** install.sh for a release: downloads, verifies and installs `name`'s binary for the machine it runs on. */
export function renderInstallScript(options: InstallScriptOptions): string {
  checkName(options.name);
  checkDownloadUrl(options.downloadUrl);
  return readFileSync(join(packageRoot(), 'src', 'publish', 'install.sh'), 'utf8')
    .replace('__PYBIN_NAME__', () => shellQuote(options.name))
    .replace('__PYBIN_DOWNLOAD_URL__', () => shellQuote(options.downloadUrl));
}

/** One shell word whose value is exactly `value`: inside single quotes nothing expands, and ' is written as '\''. */
function shellQuote(value: string): string {
  return `'${value.replaceAll("'", "'\\''")}'`;
}

function checkName(name: string): void {
  if (!BINARY_NAME.test(name)) {
    throw new PybinError(`install script: binary name ${JSON.stringify(name)} must start with a letter or digit and hold only letters, digits, '.', '_' and '-'`);
  }
}

function checkDownloadUrl(downloadUrl: string): void {
  const refuse = (why: string) => new PybinError(`install script: download URL ${JSON.stringify(downloadUrl)} ${why}`);
  if (!URL_CHARACTERS.test(downloadUrl)) throw refuse('holds characters a URL may not (spaces, quotes, backticks...): percent-encode them');
  let url: URL;
  try {
    url = new URL(downloadUrl);
  } catch {
    throw refuse('is not a URL');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))) {
    throw refuse('must be https (http only for 127.0.0.1 or localhost)');
  }
  if (url.username || url.password) throw refuse('must not hold credentials: the script is public');
  if (url.search || url.hash || downloadUrl.includes('?') || downloadUrl.includes('#')) throw refuse('must be a plain download root, without ? or #');
  if (downloadUrl.endsWith('/')) throw refuse('must not end with /: file names are appended as /FILE');
}
