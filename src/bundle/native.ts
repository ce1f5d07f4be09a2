import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { PybinError } from '../errors.js';
import { listFiles } from './stage.js';

const NATIVE = /\.(so|pyd|dylib)$|\.so\.\d/;

/** Which installed distribution owns each file, from the .dist-info/RECORD files. */
function owners(stage: string): Map<string, string> {
  const owner = new Map<string, string>();
  for (const info of readdirSync(stage).filter((d) => d.endsWith('.dist-info'))) {
    const record = join(stage, info, 'RECORD');
    if (!existsSync(record)) continue;
    const dist = info.replace(/-[^-]+\.dist-info$/, '');
    for (const line of readFileSync(record, 'utf8').split('\n')) {
      const path = line.split(',')[0];
      if (path) owner.set(path, dist);
    }
  }
  return owner;
}

/** A compiled module that has its pure-Python source beside it (mypyc-style wheels). */
function pureFallback(stage: string, file: string): boolean {
  const base = file.replace(/\.[^/]*$/, '').replace(/\.(cpython|abi3|cp)[^/]*$/, '');
  return existsSync(join(stage, `${base}.py`)) || /__mypyc\./.test(file);
}

/**
 * A static interpreter cannot load native extensions. Drop the ones that have
 * a pure-Python twin (with a warning); refuse the rest, naming who brought them.
 */
export function removeNativeExtensions(stage: string, warn: (message: string) => void): void {
  const native = listFiles(stage).filter((f) => NATIVE.test(f));
  if (native.length === 0) return;
  const owner = owners(stage);
  const refused = native.filter((f) => !pureFallback(stage, f));
  if (refused.length > 0) {
    const lines = refused.map((f) => `  ${owner.get(f) ?? 'the app itself'}: ${f}`);
    throw new PybinError(
      `native extension modules cannot run in a static pybin binary:\n${lines.join('\n')}\n` +
        'Use a pure-Python alternative or version of these distributions (many projects publish a pure wheel or an ' +
        'environment variable to skip their C speedups), or drop the dependency.',
      'requirements',
    );
  }
  for (const file of native) rmSync(join(stage, file));
  const dists = [...new Set(native.map((f) => owner.get(f) ?? 'the app'))];
  warn(`dropped ${native.length} compiled module(s) of ${dists.join(', ')}; their pure-Python sources are used instead`);
}
