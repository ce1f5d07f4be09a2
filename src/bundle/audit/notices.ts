import type { Distribution } from './distributions.js';
import type { DerivedLicense } from './licenses.js';

/** A license text that a binary's notices carry, under the component it belongs to. */
export interface NoticeText {
  title: string;
  /** Where the text came from: a toolchain's licenses/ file, or a path inside the binary. */
  source: string;
  text: string;
}

const RULE = '='.repeat(78);

export function describeLicense(license: DerivedLicense): string {
  if (license.kind === 'spdx') return license.expression;
  if (license.kind === 'named') return license.names.join('; ');
  return 'unknown';
}

/** The distributions' notices: each license file it ships, else what its metadata says. */
export function distributionNotices(distributions: Distribution[]): NoticeText[] {
  return distributions.flatMap((dist) => {
    const title = `${dist.name} ${dist.version} (${describeLicense(dist.license)})`;
    if (dist.licenseFiles.length === 0) {
      return [{ title, source: 'its metadata', text: `No license file is shipped with ${dist.name}; its metadata gives the license as: ${describeLicense(dist.license)}.\n` }];
    }
    return dist.licenseFiles.map((file) => ({ title, source: file.path, text: file.text }));
  });
}

/** One text file, a section per license text: what must travel with copies of the binary (the same for every target of an app). */
export function renderNotices(app: string, sections: NoticeText[]): string {
  const head = [
    `Third-party notices for ${app}`,
    '',
    'This executable contains the software below: CPython, the C libraries built',
    'into its interpreter, and the Python distributions of the app. Each section',
    'is a license text as its authors ship it.',
    '',
  ].join('\n');
  const body = sections.map(({ title, source, text }) => `${RULE}\n${title}\n(from ${source})\n${RULE}\n\n${text.replace(/^\s*\n/, '').replace(/\s+$/, '')}\n`);
  return `${head}\n${body.join('\n')}`;
}
