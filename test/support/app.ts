import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Toolchain } from '../../src/toolchain/toolchain.js';

/**
 * Fuse an app the simplest way the launcher supports: a ZIP of the toolchain's
 * stdlib plus `appDir`, appended to the launcher. (pybin build does this
 * properly; the launcher tests need only the mechanism.) The ZIP is written by
 * the toolchain's own interpreter, which also exercises its interpreter mode.
 */
export function fuseApp(toolchain: Toolchain, appDir: string, name = 'app'): string {
  const dir = mkdtempSync(join(tmpdir(), 'pybin-app-'));
  const zip = join(dir, `${name}.zip`);
  const script = [
    'import os, sys, zipfile',
    'out, *roots = sys.argv[1:]',
    'with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:',
    '    for root in roots:',
    '        for base, dirs, files in os.walk(root):',
    '            for f in files:',
    '                path = os.path.join(base, f)',
    '                z.write(path, os.path.relpath(path, root))',
  ].join('\n');
  const python = join(toolchain.dir, 'bin', 'python3');
  const result = spawnSync(python, ['-c', script, zip, join(toolchain.dir, toolchain.metadata.stdlib), appDir], {
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`zipping the app failed: ${result.stderr}`);
  const binary = join(dir, name);
  copyFileSync(join(toolchain.dir, toolchain.metadata.launcher), binary);
  appendFileSync(binary, readFileSync(zip));
  chmodSync(binary, 0o755);
  return binary;
}

/** A one-file app: writes `__main__.py` with `source` and fuses it. */
export function fuseScript(toolchain: Toolchain, source: string, name = 'app'): string {
  const appDir = mkdtempSync(join(tmpdir(), 'pybin-src-'));
  writeFileSync(join(appDir, '__main__.py'), source);
  return fuseApp(toolchain, appDir, name);
}
