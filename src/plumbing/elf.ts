export interface ElfDynamicInfo {
  /** e_machine as a name: 'x86_64' | 'aarch64' | other as `machine-<number>` */
  machine: string;
  /** DT_NEEDED entries, in file order */
  needed: string[];
  /** DT_SONAME, if any */
  soname?: string;
  /** From .gnu.version_r (DT_VERNEED): for each needed file, the version names it requires, e.g. { file: 'libc.so.6', versions: ['GLIBC_2.2.5', 'GLIBC_2.34'] } */
  versionNeeds: { file: string; versions: string[] }[];
  /** Where in the file each library name of DT_NEEDED and of DT_VERNEED's files is written (one entry per string offset). */
  libraryNames: { name: string; offset: number }[];
}

const MACHINES: Record<number, string> = { 62: 'x86_64', 183: 'aarch64' };

const PT_LOAD = 1;
const PT_DYNAMIC = 2;
const PN_XNUM = 0xffff;

const DT_NULL = 0;
const DT_NEEDED = 1;
const DT_STRTAB = 5;
const DT_STRSZ = 10;
const DT_SONAME = 14;
const DT_VERNEED = 0x6ffffffe;
const DT_VERNEEDNUM = 0x6fffffff;

const EHDR_SIZE = 64;
const PHDR_SIZE = 56;
const DYN_SIZE = 16;
const VERNEED_SIZE = 16;
const VERNAUX_SIZE = 16;

interface Segment {
  type: number;
  offset: number;
  vaddr: number;
  filesz: number;
}

/** Bounds-checked little-endian reads: a truncated or corrupt file throws instead of yielding garbage. */
function reader(data: Buffer) {
  const need = (offset: number, length: number, what: string) => {
    if (!Number.isSafeInteger(offset) || offset < 0 || offset + length > data.length) {
      throw new Error(`truncated or corrupt ELF file: ${what} at offset ${offset} lies outside the file (${data.length} bytes)`);
    }
  };
  return {
    need,
    u16: (offset: number, what: string) => (need(offset, 2, what), data.readUInt16LE(offset)),
    u32: (offset: number, what: string) => (need(offset, 4, what), data.readUInt32LE(offset)),
    /** Offsets and addresses beyond 2^53 cannot point into a Buffer anyway; they come back unsafe and fail `need`. */
    u64: (offset: number, what: string) => (need(offset, 8, what), Number(data.readBigUInt64LE(offset))),
  };
}

/** Parse an ELF64 little-endian file's dynamic section. Throws a plain Error with a clear message for non-ELF / 32-bit / big-endian input. A static executable (no PT_DYNAMIC) gives empty lists. */
export function readElfDynamic(data: Buffer): ElfDynamicInfo {
  if (data.length < 4 || data.readUInt32BE(0) !== 0x7f454c46) throw new Error('not an ELF file (no \\x7fELF magic)');
  if (data.length < 6) throw new Error('truncated ELF file: the identification bytes are cut short');
  if (data[4] !== 2) throw new Error(data[4] === 1 ? 'unsupported ELF file: 32-bit (ELFCLASS32); only 64-bit is read' : `not a valid ELF file: unknown class ${data[4]}`);
  if (data[5] !== 1) throw new Error(data[5] === 2 ? 'unsupported ELF file: big-endian (ELFDATA2MSB); only little-endian is read' : `not a valid ELF file: unknown data encoding ${data[5]}`);
  const r = reader(data);
  r.need(0, EHDR_SIZE, 'ELF header');

  const machineNumber = r.u16(0x12, 'e_machine');
  const machine = MACHINES[machineNumber] ?? `machine-${machineNumber}`;
  const segments = programHeaders(data, r);
  const dynamic = segments.find((s) => s.type === PT_DYNAMIC);
  if (!dynamic) return { machine, needed: [], versionNeeds: [], libraryNames: [] };

  const entries: { tag: number; value: number }[] = [];
  for (let at = dynamic.offset; at + DYN_SIZE <= dynamic.offset + dynamic.filesz; at += DYN_SIZE) {
    const tag = r.u64(at, 'dynamic entry');
    if (tag === DT_NULL) break;
    entries.push({ tag, value: r.u64(at + 8, 'dynamic entry') });
  }
  const valueOf = (tag: number) => entries.find((e) => e.tag === tag)?.value;

  const toOffset = (vaddr: number, what: string) => {
    const load = segments.find((s) => s.type === PT_LOAD && vaddr >= s.vaddr && vaddr < s.vaddr + s.filesz);
    if (!load) throw new Error(`corrupt ELF file: ${what} address 0x${vaddr.toString(16)} is in no loaded segment`);
    return vaddr - load.vaddr + load.offset;
  };

  const strtabAddress = valueOf(DT_STRTAB);
  const strtab = strtabAddress === undefined ? undefined : toOffset(strtabAddress, 'DT_STRTAB');
  const strsz = valueOf(DT_STRSZ);
  const end = strtab !== undefined && strsz !== undefined ? Math.min(strtab + strsz, data.length) : data.length;
  const libraryNames = new Map<number, string>();
  const string = (index: number, what: string) => {
    if (strtab === undefined) throw new Error(`corrupt ELF file: ${what} names a string but there is no DT_STRTAB`);
    const start = strtab + index;
    r.need(start, 1, what);
    const nul = data.indexOf(0, start);
    if (nul < 0 || nul >= end) throw new Error(`truncated or corrupt ELF file: ${what} string at offset ${start} has no terminating NUL`);
    const text = data.toString('utf8', start, nul);
    if (what === 'DT_NEEDED' || what === 'version need file') libraryNames.set(start, text);
    return text;
  };

  const needed = entries.filter((e) => e.tag === DT_NEEDED).map((e) => string(e.value, 'DT_NEEDED'));
  const sonameIndex = valueOf(DT_SONAME);
  const verneed = valueOf(DT_VERNEED);
  return {
    machine,
    needed,
    ...(sonameIndex === undefined ? {} : { soname: string(sonameIndex, 'DT_SONAME') }),
    versionNeeds: verneed === undefined ? [] : versionNeeds(r, toOffset(verneed, 'DT_VERNEED'), valueOf(DT_VERNEEDNUM) ?? 0, string),
    libraryNames: [...libraryNames].map(([offset, name]) => ({ name, offset })).sort((a, b) => a.offset - b.offset),
  };
}

function programHeaders(data: Buffer, r: ReturnType<typeof reader>): Segment[] {
  const phoff = r.u64(0x20, 'e_phoff');
  const phentsize = r.u16(0x36, 'e_phentsize');
  let phnum = r.u16(0x38, 'e_phnum');
  if (phnum === 0) return [];
  // With more than 0xfffe program headers, the real count lives in section header 0's sh_info.
  if (phnum === PN_XNUM) phnum = r.u32(r.u64(0x28, 'e_shoff') + 0x2c, 'section header 0');
  if (phentsize < PHDR_SIZE) throw new Error(`corrupt ELF file: program header size ${phentsize} is smaller than ${PHDR_SIZE}`);
  r.need(phoff, phentsize * phnum, 'program header table');
  return Array.from({ length: phnum }, (_, i) => {
    const at = phoff + i * phentsize;
    const segment = { type: data.readUInt32LE(at), offset: r.u64(at + 8, 'p_offset'), vaddr: r.u64(at + 16, 'p_vaddr'), filesz: r.u64(at + 32, 'p_filesz') };
    if (segment.type === PT_DYNAMIC) r.need(segment.offset, segment.filesz, 'dynamic segment');
    return segment;
  });
}

function versionNeeds(
  r: ReturnType<typeof reader>,
  start: number,
  count: number,
  string: (index: number, what: string) => string,
): ElfDynamicInfo['versionNeeds'] {
  const result: ElfDynamicInfo['versionNeeds'] = [];
  // vn_next / vna_next are unsigned and non-zero until the last entry, so each walk only moves forward
  // and a corrupt chain runs off the end of the file (and throws) rather than looping.
  for (let at = start, i = 0; i < count; i++) {
    r.need(at, VERNEED_SIZE, 'version need entry');
    const auxCount = r.u16(at + 2, 'vn_cnt');
    const file = string(r.u32(at + 4, 'vn_file'), 'version need file');
    const versions: string[] = [];
    for (let aux = at + r.u32(at + 8, 'vn_aux'), j = 0; j < auxCount; j++) {
      r.need(aux, VERNAUX_SIZE, 'version need aux entry');
      versions.push(string(r.u32(aux + 8, 'vna_name'), 'version need name'));
      const next = r.u32(aux + 12, 'vna_next');
      if (next === 0) break;
      aux += next;
    }
    result.push({ file, versions });
    const next = r.u32(at + 12, 'vn_next');
    if (next === 0) break;
    at += next;
  }
  return result;
}

/** The highest GLIBC_x.y version the file requires (over all versionNeeds entries whose names start with GLIBC_, any file), as "2.34", or undefined when none. Compare numerically (2.9 < 2.17). */
export function glibcFloor(info: ElfDynamicInfo): string | undefined {
  // GLIBC_PRIVATE and the like carry no number: they say nothing about the minimum release.
  const versions = info.versionNeeds
    .flatMap((need) => need.versions)
    .map((name) => /^GLIBC_(\d+(?:\.\d+)*)$/.exec(name)?.[1])
    .filter((v): v is string => v !== undefined);
  return versions.reduce<string | undefined>((max, v) => (max === undefined || compareGlibc(v, max) > 0 ? v : max), undefined);
}

/** Numeric compare of dotted versions like "2.17" vs "2.9" (negative/0/positive) — export it, callers compare manylinux tags with it. */
export function compareGlibc(a: string, b: string): number {
  const parse = (v: string) => {
    if (!/^\d+(?:\.\d+)*$/.test(v)) throw new Error(`not a dotted version number: ${JSON.stringify(v)}`);
    return v.split('.').map(Number);
  };
  const [pa, pb] = [parse(a), parse(b)];
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
