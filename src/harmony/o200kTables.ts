// The heavy o200k tables, behind one module so that they can be loaded lazily
// (esbuild emits this file as dist/o200k.js and keeps it out of the other bundles).
export { default as encoding } from 'gpt-tokenizer/encoding/o200k_harmony';
export { default as ranks } from 'gpt-tokenizer/bpeRanks/o200k_base';
