/** Progress for long steps: one line per stage with its duration, on stderr. */
export interface Progress {
  info(message: string): void;
  warn(message: string): void;
  stage<T>(label: string, work: () => Promise<T>): Promise<T>;
}

export function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

export function createProgress(write: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): Progress {
  return {
    info: (message) => write(`pybin: ${message}`),
    warn: (message) => write(`pybin: warning: ${message}`),
    async stage(label, work) {
      const started = Date.now();
      write(`pybin: ${label} ...`);
      const result = await work();
      write(`pybin: ${label} done in ${formatSeconds(Date.now() - started)}`);
      return result;
    },
  };
}

/** For callers (tests, library use) that want silence. */
export const silentProgress: Progress = {
  info: () => {},
  warn: () => {},
  stage: (_label, work) => work(),
};
