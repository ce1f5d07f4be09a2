import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh directory under the system temp dir, named for what a test keeps in it. */
export function tempDir(name: string): string {
  return mkdtempSync(join(tmpdir(), `pybin-${name}-`));
}
