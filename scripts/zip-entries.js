'use strict';
// Lists a zip's entries from its central directory (name, uncompressed size, unix mode), for
// the bundle-size report and the package test. No inflating: sizes are what the zip records.
const fs = require('node:fs');

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;

/** @returns {{ name: string, size: number, mode: number }[]} */
function zipEntries(file) {
  const buf = fs.readFileSync(file);
  let eocd = -1;
  // The end record is in the last 64 KiB + 22 bytes (its comment is at most 64 KiB).
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65_557); i--) {
    if (buf.readUInt32LE(i) === EOCD_SIGNATURE) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error(`${file} is not a zip (no end of central directory)`);
  const count = buf.readUInt16LE(eocd + 10);
  let at = buf.readUInt32LE(eocd + 16);
  const entries = [];
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(at) !== CENTRAL_SIGNATURE) throw new Error(`${file}: bad central directory`);
    const size = buf.readUInt32LE(at + 24);
    const nameLength = buf.readUInt16LE(at + 28);
    const extraLength = buf.readUInt16LE(at + 30);
    const commentLength = buf.readUInt16LE(at + 32);
    const external = buf.readUInt32LE(at + 38);
    const name = buf.toString('utf8', at + 46, at + 46 + nameLength);
    entries.push({ name, size, mode: external >>> 16 });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

module.exports = { zipEntries };
