import { chmodSync, closeSync, openSync, readFileSync, writeSync } from 'node:fs';

/** launcher + ZIP = the executable, written to `out` with mode 0755. */
export function fuse(launcher: string, zip: string, out: string): void {
  const fd = openSync(out, 'w', 0o755);
  try {
    writeSync(fd, readFileSync(launcher));
    writeSync(fd, readFileSync(zip));
  } finally {
    closeSync(fd);
  }
  chmodSync(out, 0o755);
}
