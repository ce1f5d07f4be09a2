import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { crc32, inflateRawSync } from 'node:zlib';
import { PybinError } from './errors.js';

/** One file of a ZIP, as its central directory records it. */
export interface ZipMember {
  name: string;
  /** 0 stored, 8 deflated. */
  method: number;
  compressedSize: number;
  size: number;
  /** Of its local header, from the ZIP's start. */
  localOffset: number;
  crc32: number;
}

/** A ZIP that ends a file (a launcher's, or any), read in place without running anything. */
export interface AppendedZip {
  /** Bytes before the ZIP: the executable the ZIP was appended to. */
  prefixSize: number;
  zipSize: number;
  members: Map<string, ZipMember>;
  read(name: string): Buffer;
  close(): void;
}

const END = 0x06054b50;
const END_SIZE = 22;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_END = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const MAX_COMMENT = 0xffff;

/**
 * The ZIP at the end of `file`. Its offsets count from the ZIP's own start
 * (the launcher is not part of it), so, like CPython's zipfile, the prefix is
 * found from where the end record sits and the central directory's size.
 * Undefined when the file ends in no ZIP.
 */
export function openAppendedZip(file: string): AppendedZip | undefined {
  const fd = openSync(file, 'r');
  try {
    const zip = readDirectory(fd, fstatSync(fd).size);
    if (!zip) {
      closeSync(fd);
      return undefined;
    }
    return { ...zip, read: (name) => readMember(fd, zip.prefixSize, zip.members, name, file), close: () => closeSync(fd) };
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

function readAt(fd: number, position: number, length: number): Buffer {
  const buffer = Buffer.alloc(length);
  const read = readSync(fd, buffer, 0, length, position);
  return buffer.subarray(0, read);
}

function readDirectory(fd: number, fileSize: number): Omit<AppendedZip, 'read' | 'close'> | undefined {
  const tailStart = Math.max(0, fileSize - END_SIZE - MAX_COMMENT);
  const tail = readAt(fd, tailStart, fileSize - tailStart);
  let at = -1;
  for (let i = tail.length - END_SIZE; i >= 0; i--) {
    if (tail.readUInt32LE(i) === END && i + END_SIZE + tail.readUInt16LE(i + 20) === tail.length) {
      at = i;
      break;
    }
  }
  if (at < 0) return undefined;
  let endPosition = tailStart + at;
  let count = tail.readUInt16LE(at + 10);
  let directorySize = tail.readUInt32LE(at + 12);
  let directoryOffset = tail.readUInt32LE(at + 16);

  const locator = endPosition >= 20 ? readAt(fd, endPosition - 20, 20) : Buffer.alloc(0);
  if (locator.length === 20 && locator.readUInt32LE(0) === ZIP64_LOCATOR) {
    // The zip64 end record sits just before its locator; its own recorded offset would again ignore the prefix.
    const zip64Position = endPosition - 20 - 56;
    const zip64 = readAt(fd, zip64Position, 56);
    if (zip64.length === 56 && zip64.readUInt32LE(0) === ZIP64_END) {
      count = Number(zip64.readBigUInt64LE(32));
      directorySize = Number(zip64.readBigUInt64LE(40));
      directoryOffset = Number(zip64.readBigUInt64LE(48));
      endPosition = zip64Position;
    }
  }
  const prefixSize = endPosition - directorySize - directoryOffset;
  if (prefixSize < 0) return undefined;
  const directory = readAt(fd, prefixSize + directoryOffset, directorySize);
  const members = new Map<string, ZipMember>();
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > directory.length || directory.readUInt32LE(p) !== CENTRAL) return undefined;
    const nameLength = directory.readUInt16LE(p + 28);
    const extraLength = directory.readUInt16LE(p + 30);
    const commentLength = directory.readUInt16LE(p + 32);
    if (p + 46 + nameLength > directory.length) return undefined;
    const name = directory.toString('utf8', p + 46, p + 46 + nameLength);
    members.set(name, {
      name,
      method: directory.readUInt16LE(p + 10),
      compressedSize: directory.readUInt32LE(p + 20),
      size: directory.readUInt32LE(p + 24),
      crc32: directory.readUInt32LE(p + 16),
      localOffset: directory.readUInt32LE(p + 42),
    });
    p += 46 + nameLength + extraLength + commentLength;
  }
  return { prefixSize, zipSize: fileSize - prefixSize, members };
}

function readMember(fd: number, prefixSize: number, members: Map<string, ZipMember>, name: string, file: string): Buffer {
  const member = members.get(name);
  if (!member) throw new PybinError(`${file} has no ${name} in its ZIP`);
  const header = readAt(fd, prefixSize + member.localOffset, 30);
  if (header.length < 30 || header.readUInt32LE(0) !== LOCAL) throw new PybinError(`${file}: the ZIP entry ${name} is damaged`);
  const dataStart = prefixSize + member.localOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
  const data = readAt(fd, dataStart, member.compressedSize);
  if (member.method !== 0 && member.method !== 8) {
    throw new PybinError(`${file}: the ZIP entry ${name} uses compression method ${member.method}, which pybin does not write`);
  }
  let content: Buffer;
  try {
    content = member.method === 0 ? data : inflateRawSync(data, { maxOutputLength: Math.max(1, member.size) });
  } catch (error) {
    throw new PybinError(`${file}: the ZIP entry ${name} is damaged (${(error as Error).message})`);
  }
  if (content.length !== member.size || crc32(content) >>> 0 !== member.crc32) {
    throw new PybinError(`${file}: the ZIP entry ${name} is damaged (its bytes do not match its recorded size and CRC-32)`);
  }
  return content;
}
