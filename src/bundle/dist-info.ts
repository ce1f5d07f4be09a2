import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** PEP 503's normal form, so "PyYAML" and "pyyaml" are one name: what pip, purls and `pip list` compare by. */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** The installed distributions' metadata dirs at the stage's top level. */
export function distInfoDirs(stage: string): string[] {
  return readdirSync(stage).filter((d) => d.endsWith('.dist-info'));
}

/** The distribution's name of `<name>-<version>.dist-info`, normalized. */
export function distNameOf(infoDir: string): string {
  return normalizeName(infoDir.replace(/-[^-]+\.dist-info$/, ''));
}

/** The paths a distribution's RECORD lists (`path,hash,size`; a path with a comma is quoted, as csv writes it); none without a RECORD. */
export function recordPaths(stage: string, infoDir: string): string[] {
  const record = join(stage, infoDir, 'RECORD');
  if (!existsSync(record)) return [];
  return readFileSync(record, 'utf8')
    .split('\n')
    .map((line) => (line.startsWith('"') ? line.slice(1, line.indexOf('",')).replaceAll('""', '"') : line.split(',')[0]!))
    .filter(Boolean);
}
