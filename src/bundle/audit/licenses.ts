import parseSpdx from 'spdx-expression-parse';

/** What a distribution's metadata says of its license, as the SBOM can state it. */
export type DerivedLicense =
  | { kind: 'spdx'; expression: string; from: 'License-Expression' | 'License' | 'classifier' }
  | { kind: 'named'; names: string[]; from: 'classifier' | 'License' }
  | { kind: 'unknown' };

/**
 * Trove license classifiers that name exactly one SPDX license. Those that
 * do not ("BSD License", "Apache Software License", "GNU Library or Lesser
 * General Public License (LGPL)") stay names: guessing a clause count or a
 * version would put a wrong license into an audit.
 */
const CLASSIFIER_SPDX: Record<string, string> = {
  'MIT License': 'MIT',
  'MIT No Attribution License (MIT-0)': 'MIT-0',
  'ISC License (ISCL)': 'ISC',
  'Python Software Foundation License': 'PSF-2.0',
  'Mozilla Public License 2.0 (MPL 2.0)': 'MPL-2.0',
  'GNU General Public License v2 (GPLv2)': 'GPL-2.0-only',
  'GNU General Public License v2 or later (GPLv2+)': 'GPL-2.0-or-later',
  'GNU General Public License v3 (GPLv3)': 'GPL-3.0-only',
  'GNU General Public License v3 or later (GPLv3+)': 'GPL-3.0-or-later',
  'GNU Lesser General Public License v2 (LGPLv2)': 'LGPL-2.0-only',
  'GNU Lesser General Public License v2 or later (LGPLv2+)': 'LGPL-2.0-or-later',
  'GNU Lesser General Public License v3 (LGPLv3)': 'LGPL-3.0-only',
  'GNU Lesser General Public License v3 or later (LGPLv3+)': 'LGPL-3.0-or-later',
  'GNU Affero General Public License v3': 'AGPL-3.0-only',
  'GNU Affero General Public License v3 or later (AGPLv3+)': 'AGPL-3.0-or-later',
  'The Unlicense (Unlicense)': 'Unlicense',
  'zlib/libpng License': 'Zlib',
  'Boost Software License 1.0 (BSL-1.0)': 'BSL-1.0',
  'Eclipse Public License 2.0 (EPL-2.0)': 'EPL-2.0',
  'Universal Permissive License (UPL)': 'UPL-1.0',
  'Historical Permission Notice and Disclaimer (HPND)': 'HPND',
  'CC0 1.0 Universal (CC0 1.0) Public Domain Dedication': 'CC0-1.0',
};

const CLASSIFIER_PREFIX = /^License :: (?:OSI Approved :: )?/;

/** A valid SPDX expression (as PEP 639 and CycloneDX mean it), else undefined. */
export function spdxExpression(text: string | undefined): string | undefined {
  const candidate = text?.trim();
  if (!candidate || candidate.includes('\n')) return undefined;
  try {
    parseSpdx(candidate);
    return candidate;
  } catch {
    return undefined;
  }
}

/**
 * The license, from the most precise field a distribution fills: PEP 639's
 * License-Expression, a License field that is an SPDX expression, license
 * classifiers, a short License text; else unknown.
 */
export function deriveLicense(metadata: { licenseExpression?: string; license?: string; classifiers: string[] }): DerivedLicense {
  const expression = spdxExpression(metadata.licenseExpression);
  if (expression) return { kind: 'spdx', expression, from: 'License-Expression' };
  const licenseField = spdxExpression(metadata.license);
  if (licenseField) return { kind: 'spdx', expression: licenseField, from: 'License' };

  const classifiers = metadata.classifiers.filter((c) => CLASSIFIER_PREFIX.test(c) && c !== 'License :: OSI Approved').map((c) => c.replace(CLASSIFIER_PREFIX, ''));
  const ids = classifiers.map((c) => CLASSIFIER_SPDX[c]);
  if (ids.length === 1 && ids[0]) return { kind: 'spdx', expression: ids[0], from: 'classifier' };
  if (classifiers.length) return { kind: 'named', names: classifiers.map((c, i) => ids[i] ?? c), from: 'classifier' };

  const text = metadata.license?.trim();
  if (text && text.toUpperCase() !== 'UNKNOWN') return { kind: 'named', names: [firstLine(text)], from: 'License' };
  return { kind: 'unknown' };
}

function firstLine(text: string): string {
  const line = text.split('\n')[0]!.trim();
  return line.length > 80 ? `${line.slice(0, 77)}...` : line;
}

/** The licenses of what a toolchain builds from source, by component name; what CPython bundles is under its own. */
export const TOOLCHAIN_LICENSES: Record<string, string> = {
  cpython: 'PSF-2.0',
  zlib: 'Zlib',
  bzip2: 'bzip2-1.0.6',
  // xz 5.6+: liblzma, the part CPython links, is 0BSD.
  xz: '0BSD',
  libffi: 'MIT',
  openssl: 'Apache-2.0',
  sqlite: 'blessing',
  mpdecimal: 'BSD-2-Clause',
  zstd: 'BSD-3-Clause OR GPL-2.0-only',
  mimalloc: 'MIT',
  expat: 'MIT',
};
