// Draws media/icon.png, the Marketplace icon (128×128 RGBA PNG): three harmonics on a rounded
// indigo square, one per Harmony channel (analysis violet, commentary sky, final green).
// Plain Node (zlib for the PNG's deflate, no image library): `node scripts/icon.mjs`.
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const SIZE = 128;
/** Samples per pixel side: 4×4 supersampling for smooth edges. */
const SS = 4;
const RADIUS = 26;
const TOP = [0x31, 0x2e, 0x81];
const BOTTOM = [0x0f, 0x17, 0x2a];
const WAVES = [
  { color: [0xa7, 0x8b, 0xfa], harmonic: 1, amplitude: 22, phase: 0 },
  { color: [0x38, 0xbd, 0xf8], harmonic: 2, amplitude: 16, phase: Math.PI / 2 },
  { color: [0x34, 0xd3, 0x99], harmonic: 3, amplitude: 11, phase: Math.PI },
];
const STROKE = 4.2;
const MARGIN = 18;

/** Inside the rounded square? */
function inSquare(x, y) {
  const cx = Math.min(Math.max(x, RADIUS), SIZE - RADIUS);
  const cy = Math.min(Math.max(y, RADIUS), SIZE - RADIUS);
  return (x - cx) ** 2 + (y - cy) ** 2 <= RADIUS ** 2;
}

/** Distance from (x, y) to a wave y = 64 + a·sin(k·t + φ) over the inner width, to first order. */
function waveDistance(wave, x, y) {
  if (x < MARGIN || x > SIZE - MARGIN) return Infinity;
  const span = SIZE - 2 * MARGIN;
  const t = ((x - MARGIN) / span) * 2 * Math.PI;
  const k = wave.harmonic;
  const value = SIZE / 2 + wave.amplitude * Math.sin(k * t + wave.phase);
  const slope = ((wave.amplitude * k * 2 * Math.PI) / span) * Math.cos(k * t + wave.phase);
  return Math.abs(y - value) / Math.sqrt(1 + slope * slope);
}

function sample(x, y) {
  if (!inSquare(x, y)) return [0, 0, 0, 0];
  const f = y / SIZE;
  let rgb = TOP.map((top, i) => top + (BOTTOM[i] - top) * f);
  for (const wave of WAVES) {
    if (waveDistance(wave, x, y) <= STROKE / 2) rgb = wave.color;
  }
  return [...rgb, 255];
}

function pixels() {
  const rows = Buffer.alloc(SIZE * (1 + SIZE * 4));
  for (let py = 0; py < SIZE; py++) {
    const row = py * (1 + SIZE * 4);
    rows[row] = 0; // filter: none
    for (let px = 0; px < SIZE; px++) {
      const sum = [0, 0, 0, 0];
      for (let sy = 0; sy < SS; sy++) {
        for (let sx = 0; sx < SS; sx++) {
          const [r, g, b, a] = sample(px + (sx + 0.5) / SS, py + (sy + 0.5) / SS);
          sum[0] += r * a;
          sum[1] += g * a;
          sum[2] += b * a;
          sum[3] += a;
        }
      }
      const alpha = sum[3] / (SS * SS);
      const at = row + 1 + px * 4;
      for (let c = 0; c < 3; c++) rows[at + c] = sum[3] === 0 ? 0 : Math.round(sum[c] / sum[3]);
      rows[at + 3] = Math.round(alpha);
    }
  }
  return rows;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buffer) {
  let c = 0xffffffff;
  for (const byte of buffer) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

const header = Buffer.alloc(13);
header.writeUInt32BE(SIZE, 0);
header.writeUInt32BE(SIZE, 4);
header[8] = 8; // bit depth
header[9] = 6; // colour type: RGBA
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', header),
  chunk('IDAT', deflateSync(pixels(), { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
const out = new URL('../media/icon.png', import.meta.url);
writeFileSync(out, png);
console.log(`${out.pathname}: ${png.length} bytes`);
