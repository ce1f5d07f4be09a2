// archiver 8 ships no type declarations; this is the part pybin uses.
declare module 'archiver' {
  import { Transform } from 'node:stream';
  export interface EntryData {
    name: string;
    date?: Date;
    mode?: number;
    store?: boolean;
  }
  export class ZipArchive extends Transform {
    constructor(options?: { store?: boolean; zlib?: { level?: number }; forceZip64?: boolean });
    append(source: Buffer | string, data: EntryData): this;
    finalize(): Promise<void>;
    pointer(): number;
  }
}
