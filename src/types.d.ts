// archiver 8 ships no type declarations; this is the part pybin uses.
declare module 'archiver' {
  import type { Stats } from 'node:fs';
  import { Transform } from 'node:stream';
  export interface EntryData {
    name: string;
    date?: Date;
    mode?: number;
    store?: boolean;
    type?: 'file' | 'directory' | 'symlink';
    /** The target of a symlink entry. */
    linkname?: string;
    /** Saves archiver a stat of its own; its mtime is ignored when `date` is set. */
    stats?: Stats;
  }
  export class ZipArchive extends Transform {
    constructor(options?: { store?: boolean; zlib?: { level?: number }; forceZip64?: boolean });
    append(source: Buffer | string, data: EntryData): this;
    finalize(): Promise<void>;
    pointer(): number;
  }
  export class TarArchive extends Transform {
    constructor(options?: { gzip?: boolean; gzipOptions?: { level?: number } });
    append(source: Buffer | string, data: EntryData): this;
    /** Reads the file lazily, when its turn comes: no open handle per queued entry. */
    file(path: string, data: EntryData): this;
    finalize(): Promise<void>;
    pointer(): number;
  }
}
