import { formatSeconds } from './format.js';

/** Progress for long steps: one line per stage with its duration, on stderr. */
export interface Progress {
  info(message: string): void;
  warn(message: string): void;
  stage<T>(label: string, work: () => Promise<T>): Promise<T>;
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

export interface StageTiming {
  label: string;
  ms: number;
}

/** Wraps a Progress and remembers how long each stage took, for the job summary. */
export function recordTimings(inner: Progress): Progress & { timings: StageTiming[] } {
  const timings: StageTiming[] = [];
  return {
    timings,
    info: inner.info,
    warn: inner.warn,
    async stage(label, work) {
      const started = Date.now();
      try {
        return await inner.stage(label, work);
      } finally {
        timings.push({ label, ms: Date.now() - started });
      }
    },
  };
}
