// A small GGUF (version 3) writer: metadata key/values, then tensor infos, then aligned tensor
// data, all little-endian. Enough for the tiny test models: F32 and Q8_0 tensors, scalar, string
// and array values. Written from the format description (ggml/docs/gguf.md), not from gguf-py.
import { closeSync, openSync, renameSync, writeSync } from 'node:fs';

export const ValueType = {
  UINT8: 0, INT8: 1, UINT16: 2, INT16: 3, UINT32: 4, INT32: 5, FLOAT32: 6, BOOL: 7, STRING: 8, ARRAY: 9,
  UINT64: 10, INT64: 11, FLOAT64: 12,
};

export const TensorType = { F32: 0, F16: 1, Q8_0: 8 };

const ALIGNMENT = 32;
const Q8_0_BLOCK = 32;

/** Appends little-endian values to a growing buffer. */
class ByteSink {
  constructor(size = 1 << 20) {
    this.buffer = Buffer.alloc(size);
    this.length = 0;
  }

  reserve(n) {
    if (this.length + n <= this.buffer.length) return;
    const next = Buffer.alloc(Math.max(this.buffer.length * 2, this.length + n));
    this.buffer.copy(next, 0, 0, this.length);
    this.buffer = next;
  }

  u8(v) { this.reserve(1); this.buffer.writeUInt8(v, this.length); this.length += 1; }
  i8(v) { this.reserve(1); this.buffer.writeInt8(v, this.length); this.length += 1; }
  u16(v) { this.reserve(2); this.buffer.writeUInt16LE(v, this.length); this.length += 2; }
  i16(v) { this.reserve(2); this.buffer.writeInt16LE(v, this.length); this.length += 2; }
  u32(v) { this.reserve(4); this.buffer.writeUInt32LE(v, this.length); this.length += 4; }
  i32(v) { this.reserve(4); this.buffer.writeInt32LE(v, this.length); this.length += 4; }
  f32(v) { this.reserve(4); this.buffer.writeFloatLE(v, this.length); this.length += 4; }
  f64(v) { this.reserve(8); this.buffer.writeDoubleLE(v, this.length); this.length += 8; }
  u64(v) { this.reserve(8); this.buffer.writeBigUInt64LE(BigInt(v), this.length); this.length += 8; }
  i64(v) { this.reserve(8); this.buffer.writeBigInt64LE(BigInt(v), this.length); this.length += 8; }

  string(text) {
    const bytes = Buffer.from(text, 'utf8');
    this.u64(bytes.length);
    this.reserve(bytes.length);
    bytes.copy(this.buffer, this.length);
    this.length += bytes.length;
  }

  pad(alignment) {
    const padding = (alignment - (this.length % alignment)) % alignment;
    this.reserve(padding);
    this.buffer.fill(0, this.length, this.length + padding);
    this.length += padding;
  }

  bytes() {
    return this.buffer.subarray(0, this.length);
  }
}

function writeScalar(sink, type, value) {
  switch (type) {
    case ValueType.UINT8: return sink.u8(value);
    case ValueType.INT8: return sink.i8(value);
    case ValueType.UINT16: return sink.u16(value);
    case ValueType.INT16: return sink.i16(value);
    case ValueType.UINT32: return sink.u32(value);
    case ValueType.INT32: return sink.i32(value);
    case ValueType.FLOAT32: return sink.f32(value);
    case ValueType.BOOL: return sink.u8(value ? 1 : 0);
    case ValueType.STRING: return sink.string(value);
    case ValueType.UINT64: return sink.u64(value);
    case ValueType.INT64: return sink.i64(value);
    case ValueType.FLOAT64: return sink.f64(value);
    default: throw new Error(`GGUF: cannot write a scalar of type ${type}`);
  }
}

/** Float32 → IEEE half (round to nearest even), as a uint16. */
export function toHalf(value) {
  const f32 = new Float32Array([value]);
  const bits = new Uint32Array(f32.buffer)[0];
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  let mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  let e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - e;
    let half = mantissa >>> shift;
    const rest = mantissa & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rest > halfway || (rest === halfway && (half & 1))) half += 1;
    return sign | half;
  }
  let half = (e << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (half & 1))) half += 1;
  return sign | half;
}

/** Quantizes rows of floats to Q8_0 blocks (32 values: one half scale, 32 int8). */
export function quantizeQ8_0(values) {
  if (values.length % Q8_0_BLOCK !== 0) throw new Error('Q8_0: the length must be a multiple of 32');
  const blocks = values.length / Q8_0_BLOCK;
  const out = Buffer.alloc(blocks * 34);
  for (let b = 0; b < blocks; b++) {
    let amax = 0;
    for (let i = 0; i < Q8_0_BLOCK; i++) amax = Math.max(amax, Math.abs(values[b * Q8_0_BLOCK + i]));
    const d = amax / 127;
    const inverse = d ? 1 / d : 0;
    out.writeUInt16LE(toHalf(d), b * 34);
    for (let i = 0; i < Q8_0_BLOCK; i++) {
      out.writeInt8(Math.max(-127, Math.min(127, Math.round(values[b * Q8_0_BLOCK + i] * inverse))), b * 34 + 2 + i);
    }
  }
  return out;
}

export class GgufWriter {
  constructor() {
    /** @type {{key: string, type: number, value: unknown, itemType?: number}[]} */
    this.kvs = [];
    /** @type {{name: string, dims: number[], type: number, data: Buffer}[]} */
    this.tensors = [];
  }

  add(key, type, value) {
    if (this.kvs.some((kv) => kv.key === key)) throw new Error(`GGUF: duplicate key ${key}`);
    this.kvs.push({ key, type, value });
  }

  string(key, value) { this.add(key, ValueType.STRING, value); }
  u32(key, value) { this.add(key, ValueType.UINT32, value); }
  f32(key, value) { this.add(key, ValueType.FLOAT32, value); }
  bool(key, value) { this.add(key, ValueType.BOOL, value); }

  array(key, itemType, values) {
    if (this.kvs.some((kv) => kv.key === key)) throw new Error(`GGUF: duplicate key ${key}`);
    this.kvs.push({ key, type: ValueType.ARRAY, itemType, value: values });
  }

  /**
   * A tensor. `dims` in ggml order (ne[0] first: the contiguous dimension), `values` a Float32Array
   * of their product, stored as `type` (F32 or Q8_0).
   */
  tensor(name, dims, type, values) {
    const count = dims.reduce((a, b) => a * b, 1);
    if (values.length !== count) throw new Error(`GGUF: ${name} has ${values.length} values for dims ${dims.join('×')}`);
    let data;
    if (type === TensorType.F32) data = Buffer.from(new Float32Array(values).buffer);
    else if (type === TensorType.Q8_0) {
      if (dims[0] % Q8_0_BLOCK !== 0) throw new Error(`GGUF: ${name}: Q8_0 needs ne[0] to be a multiple of 32`);
      data = quantizeQ8_0(values);
    } else throw new Error(`GGUF: ${name}: unsupported tensor type ${type}`);
    this.tensors.push({ name, dims, type, data });
  }

  /** Writes the file (to a temporary name first, so a reader never sees half a model). */
  write(path) {
    const head = new ByteSink();
    head.u32(0x46554747); // "GGUF"
    head.u32(3);
    head.u64(this.tensors.length);
    head.u64(this.kvs.length);
    for (const kv of this.kvs) {
      head.string(kv.key);
      head.u32(kv.type);
      if (kv.type === ValueType.ARRAY) {
        head.u32(kv.itemType);
        head.u64(kv.value.length);
        for (const item of kv.value) writeScalar(head, kv.itemType, item);
      } else {
        writeScalar(head, kv.type, kv.value);
      }
    }
    let offset = 0;
    const offsets = [];
    for (const tensor of this.tensors) {
      head.string(tensor.name);
      head.u32(tensor.dims.length);
      for (const dim of tensor.dims) head.u64(dim);
      head.u32(tensor.type);
      head.u64(offset);
      offsets.push(offset);
      offset += tensor.data.length;
      offset += (ALIGNMENT - (offset % ALIGNMENT)) % ALIGNMENT;
    }
    head.pad(ALIGNMENT);
    const partial = `${path}.partial`;
    const fd = openSync(partial, 'w');
    try {
      writeSync(fd, head.bytes());
      let written = 0;
      for (const [i, tensor] of this.tensors.entries()) {
        if (written < offsets[i]) writeSync(fd, Buffer.alloc(offsets[i] - written));
        writeSync(fd, tensor.data);
        written = offsets[i] + tensor.data.length;
      }
      if (written < offset) writeSync(fd, Buffer.alloc(offset - written));
    } finally {
      closeSync(fd);
    }
    renameSync(partial, path);
  }
}
