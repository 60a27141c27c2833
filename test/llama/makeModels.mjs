// Generates the tiny gpt-oss models the live tests serve: llama.cpp's `gpt-oss` architecture with
// the real o200k_harmony vocabulary (vocab.mjs) and the official chat template, written by our GGUF
// writer (writeGguf.mjs). Usage: node test/llama/makeModels.mjs <output dir>
//
// - tiny-gpt-oss-random.gguf: small random weights (seeded, so the file is byte-reproducible).
//   Its text is garbage; the live tests script it with a grammar on /completion.
// - tiny-gpt-oss-crafted-*.gguf: weights chosen so that the model itself says one Harmony answer,
//   whatever the sampler and over /v1/chat/completions too. How (see craftWeights):
//   * Every token of the script gets its own embedding dimension; attention and MoE layers add
//     nothing, so the logits depend on the current token only: a bigram table, one successor each.
//   * A token with two successors in the script (`<|channel|>` → analysis, later → commentary)
//     gets one attention head in layer 0. Its query (only at that token) looks for a "marker": a
//     token that occurs once in the script, between the token's two uses, and not in the prompt.
//     Query and key sit on the lowest-frequency RoPE dimensions, so their product barely depends
//     on the distance; an attention sink absorbs the weight while no marker is there. Once the
//     marker was said, the head writes a "second use" dimension that switches the successor.
//   Limits: one scripted answer per file; a prompt that contains a marker token, or a sampler that
//   leaves the chain (a grammar, a logit bias), gives garbage. Each model has a manifest (.json).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Tiktoken } from 'js-tiktoken/lite';
import o200kBase from 'js-tiktoken/ranks/o200k_base';
import { buildVocab, FIRST_SPECIAL, loadRanks, N_VOCAB, specialText } from './vocab.mjs';
import { GgufWriter, TensorType, ValueType } from './writeGguf.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const TEMPLATE = join(here, '..', 'fixtures', 'harmony', 'gpt-oss-chat-template.jinja');

/** The shape of the random model (and the base of the crafted ones). */
const BASE = {
  nEmbd: 64,
  nLayer: 2,
  nHead: 4,
  nHeadKv: 2,
  headDim: 16,
  nExpert: 4,
  nExpertUsed: 2,
  nFfExp: 64,
  slidingWindow: 128,
  ctxTrain: 131072,
  ropeFreqBase: 150000,
  rmsEps: 1e-5,
};

/**
 * A prompt like the tests' (the server's rendering of a get_weather request, and of a greeting):
 * marker tokens are chosen among tokens it does not contain.
 */
const REFERENCE_PROMPT =
  '<|start|>system<|message|>You are ChatGPT, a large language model trained by OpenAI.\nKnowledge cutoff: 2024-06\n'
  + 'Current date: 2026-11-21\n\nReasoning: medium\n\n# Valid channels: analysis, commentary, final. Channel must be included '
  + "for every message.\nCalls to these tools must go to the commentary channel: 'functions'.<|end|><|start|>developer<|message|>"
  + '# Instructions\n\nYou are a helpful assistant.\n\n# Tools\n\n## functions\n\nnamespace functions {\n\n// Get the current '
  + 'weather for a city\ntype get_weather = (_: {\n// City name\ncity: string,\nunit?: "c" | "f",\n}) => any;\n\n} // namespace '
  + "functions<|end|><|start|>user<|message|>What's the weather in Tokyo?<|end|><|start|>user<|message|>Hi!<|end|><|start|>assistant";

/** The scripted answers. `after` is the prompt's last token (the generation prompt ends `<|start|>assistant`). */
export const CRAFTED = [
  {
    file: 'tiny-gpt-oss-crafted-toolcall.gguf',
    after: 'assistant',
    script: '<|channel|>analysis<|message|>User asks for the weather in Tokyo. Need to call get_weather.<|end|>'
      + '<|start|>assistant<|channel|>commentary to=functions.get_weather <|constrain|>json<|message|>{"city":"Tokyo"}<|call|>',
  },
  {
    file: 'tiny-gpt-oss-crafted-final.gguf',
    after: 'assistant',
    script: '<|channel|>analysis<|message|>Simple greeting, reply briefly.<|end|>'
      + '<|start|>assistant<|channel|>final<|message|>Hello! How can I help you today?<|return|>',
  },
];

const EOG = new Set([200002, 200012, 199999]);

function harmonyEncoder() {
  const specials = {};
  for (let id = FIRST_SPECIAL; id < N_VOCAB; id++) specials[specialText(id)] = id;
  const encoder = new Tiktoken(o200kBase, specials);
  return (text) => encoder.encode(text, 'all', []);
}

/** Seeded PRNG (mulberry32) with normal samples (Box–Muller). */
function random(seed) {
  let state = seed >>> 0;
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    normal(std) {
      const u = Math.max(uniform(), 1e-12);
      return std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * uniform());
    },
  };
}

function writeHeader(writer, name, hp, vocab, template) {
  const arch = 'gpt-oss';
  writer.string('general.architecture', arch);
  writer.string('general.name', name);
  writer.u32(`${arch}.context_length`, hp.ctxTrain);
  writer.u32(`${arch}.embedding_length`, hp.nEmbd);
  writer.u32(`${arch}.block_count`, hp.nLayer);
  writer.u32(`${arch}.feed_forward_length`, hp.nFfExp);
  writer.u32(`${arch}.expert_feed_forward_length`, hp.nFfExp);
  writer.u32(`${arch}.expert_count`, hp.nExpert);
  writer.u32(`${arch}.expert_used_count`, hp.nExpertUsed);
  writer.u32(`${arch}.attention.head_count`, hp.nHead);
  writer.u32(`${arch}.attention.head_count_kv`, hp.nHeadKv);
  writer.u32(`${arch}.attention.key_length`, hp.headDim);
  writer.u32(`${arch}.attention.value_length`, hp.headDim);
  writer.u32(`${arch}.attention.sliding_window`, hp.slidingWindow);
  writer.f32(`${arch}.attention.layer_norm_rms_epsilon`, hp.rmsEps);
  writer.f32(`${arch}.rope.freq_base`, hp.ropeFreqBase);
  writer.string('tokenizer.ggml.model', 'gpt2');
  writer.string('tokenizer.ggml.pre', 'gpt-4o');
  writer.array('tokenizer.ggml.tokens', ValueType.STRING, vocab.tokens);
  writer.array('tokenizer.ggml.token_type', ValueType.INT32, vocab.types);
  writer.array('tokenizer.ggml.merges', ValueType.STRING, vocab.merges);
  writer.u32('tokenizer.ggml.bos_token_id', 199998);
  writer.u32('tokenizer.ggml.eos_token_id', 200002);
  writer.u32('tokenizer.ggml.padding_token_id', 199999);
  writer.bool('tokenizer.ggml.add_bos_token', false);
  writer.string('tokenizer.chat_template', template);
}

/** Shapes of every tensor of the architecture (ggml order) and whether it is stored as Q8_0. */
function tensorShapes(hp) {
  const q = hp.nHead * hp.headDim;
  const kv = hp.nHeadKv * hp.headDim;
  const shapes = [
    ['token_embd.weight', [hp.nEmbd, N_VOCAB], TensorType.Q8_0],
    ['output_norm.weight', [hp.nEmbd], TensorType.F32],
    ['output.weight', [hp.nEmbd, N_VOCAB], TensorType.Q8_0],
  ];
  for (let il = 0; il < hp.nLayer; il++) {
    const b = `blk.${il}`;
    shapes.push(
      [`${b}.attn_norm.weight`, [hp.nEmbd], TensorType.F32],
      [`${b}.attn_q.weight`, [hp.nEmbd, q], TensorType.F32],
      [`${b}.attn_q.bias`, [q], TensorType.F32],
      [`${b}.attn_k.weight`, [hp.nEmbd, kv], TensorType.F32],
      [`${b}.attn_k.bias`, [kv], TensorType.F32],
      [`${b}.attn_v.weight`, [hp.nEmbd, kv], TensorType.F32],
      [`${b}.attn_v.bias`, [kv], TensorType.F32],
      [`${b}.attn_output.weight`, [q, hp.nEmbd], TensorType.F32],
      [`${b}.attn_output.bias`, [hp.nEmbd], TensorType.F32],
      [`${b}.attn_sinks.weight`, [hp.nHead], TensorType.F32],
      [`${b}.post_attention_norm.weight`, [hp.nEmbd], TensorType.F32],
      [`${b}.ffn_gate_inp.weight`, [hp.nEmbd, hp.nExpert], TensorType.F32],
      [`${b}.ffn_gate_inp.bias`, [hp.nExpert], TensorType.F32],
      [`${b}.ffn_gate_exps.weight`, [hp.nEmbd, hp.nFfExp, hp.nExpert], TensorType.F32],
      [`${b}.ffn_gate_exps.bias`, [hp.nFfExp, hp.nExpert], TensorType.F32],
      [`${b}.ffn_up_exps.weight`, [hp.nEmbd, hp.nFfExp, hp.nExpert], TensorType.F32],
      [`${b}.ffn_up_exps.bias`, [hp.nFfExp, hp.nExpert], TensorType.F32],
      [`${b}.ffn_down_exps.weight`, [hp.nFfExp, hp.nEmbd, hp.nExpert], TensorType.F32],
      [`${b}.ffn_down_exps.bias`, [hp.nEmbd, hp.nExpert], TensorType.F32],
    );
  }
  return shapes;
}

const isNorm = (name) => /norm\.weight$/.test(name);

function randomWeights(hp, seed) {
  const rng = random(seed);
  const tensors = new Map();
  for (const [name, dims] of tensorShapes(hp)) {
    const values = new Float32Array(dims.reduce((a, b) => a * b, 1));
    if (isNorm(name)) values.fill(1);
    else {
      const std = name.startsWith('token_embd') || name.startsWith('output') ? 1 : 0.05;
      for (let i = 0; i < values.length; i++) values[i] = rng.normal(std);
    }
    tensors.set(name, values);
  }
  return tensors;
}

/** Splits the script into its bigram table and the tokens that need a second-use head. */
function analyseScript(ids) {
  const successors = new Map(); // token → successor per use, in order
  for (let i = 0; i + 1 < ids.length; i++) {
    if (!successors.has(ids[i])) successors.set(ids[i], []);
    successors.get(ids[i]).push({ at: i, next: ids[i + 1] });
  }
  const unique = new Map();
  const twoPhase = [];
  for (const [token, uses] of successors) {
    const distinct = [...new Set(uses.map((u) => u.next))];
    if (distinct.length === 1) {
      unique.set(token, distinct[0]);
      continue;
    }
    // Uses must read first, first, …, second, second: one switch, made by one marker.
    const switchAt = uses.findIndex((u) => u.next !== uses[0].next);
    if (distinct.length > 2 || uses.slice(switchAt).some((u) => u.next !== uses[switchAt].next)) {
      throw new Error(`token ${token} changes successor more than once in the script: not supported`);
    }
    twoPhase.push({ token, first: uses[0].next, second: uses[switchAt].next, after: uses[switchAt - 1].at, upTo: uses[switchAt].at });
  }
  return { unique, twoPhase };
}

/** Greedy choice of marker tokens: each two-phase token needs one in (after, upTo]. */
function chooseMarkers(ids, twoPhase, avoid) {
  const count = new Map();
  for (const id of ids) count.set(id, (count.get(id) ?? 0) + 1);
  const usable = (at) => count.get(ids[at]) === 1 && !avoid.has(ids[at]) && ids[at] < FIRST_SPECIAL;
  const open = new Set(twoPhase);
  const markerOf = new Map();
  while (open.size > 0) {
    let best;
    for (let at = 0; at < ids.length; at++) {
      if (!usable(at)) continue;
      const covers = [...open].filter((t) => t.after < at && at <= t.upTo);
      if (covers.length > (best?.covers.length ?? 0)) best = { at, covers };
    }
    if (!best) throw new Error(`no marker token for ${[...open].map((t) => t.token).join(', ')}: every candidate is in the prompt or repeated`);
    for (const t of best.covers) {
      markerOf.set(t.token, ids[best.at]);
      open.delete(t);
    }
  }
  return markerOf;
}

function craftedWeights(spec, encode) {
  const ids = [...encode(spec.after), ...encode(spec.script)];
  if (!EOG.has(ids.at(-1))) throw new Error(`${spec.file}: the script must end with an end-of-generation token`);
  const { unique, twoPhase } = analyseScript(ids);
  const markerOf = chooseMarkers(ids, twoPhase, new Set(encode(REFERENCE_PROMPT)));
  const chain = [...new Set(ids)];
  const nEmbd = Math.max(64, Math.ceil((chain.length + twoPhase.length) / 32) * 32);
  const nHead = Math.max(4, twoPhase.length + (twoPhase.length % 2));
  const hp = { ...BASE, nEmbd, nHead, nHeadKv: nHead };
  const dimOf = new Map(chain.map((id, i) => [id, i]));
  const phaseDim = (k) => chain.length + k;

  const tensors = new Map();
  for (const [name, dims] of tensorShapes(hp)) {
    const values = new Float32Array(dims.reduce((a, b) => a * b, 1));
    if (isNorm(name)) values.fill(1);
    tensors.set(name, values);
  }
  const embd = tensors.get('token_embd.weight');
  for (const id of chain) embd[id * nEmbd + dimOf.get(id)] = 1;

  // Logit of a successor: L times the normalised hidden state's √nEmbd (one-hot) or √(nEmbd/2) (two dims).
  const L = 16;
  const out = tensors.get('output.weight');
  for (const [token, next] of unique) out[next * nEmbd + dimOf.get(token)] += L;
  twoPhase.forEach(({ token, first, second }, k) => {
    out[first * nEmbd + dimOf.get(token)] += L;
    out[first * nEmbd + phaseDim(k)] -= L;
    out[second * nEmbd + phaseDim(k)] += L;
  });

  // Layer 0, head k: query at the two-phase token, key and value at its marker, on RoPE pair
  // (7, 15), the lowest frequency of a 16-dim head. Score = nEmbd·wq·wk/√16 = 40 against a sink of 10.
  const hd = hp.headDim;
  const stable = hd / 2 - 1;
  const w = Math.sqrt((40 * Math.sqrt(hd)) / nEmbd);
  const [wq, wk, wv, wo] = ['attn_q', 'attn_k', 'attn_v', 'attn_output'].map((t) => tensors.get(`blk.0.${t}.weight`));
  tensors.get('blk.0.attn_sinks.weight').fill(10);
  twoPhase.forEach(({ token }, k) => {
    const marker = markerOf.get(token);
    wq[(k * hd + stable) * nEmbd + dimOf.get(token)] = w;
    wk[(k * hd + stable) * nEmbd + dimOf.get(marker)] = w;
    // Value: the marker's one-hot (√nEmbd after the norm) scaled to 1, then into the phase dimension.
    wv[(k * hd) * nEmbd + dimOf.get(marker)] = 1 / Math.sqrt(nEmbd);
    wo[phaseDim(k) * (nHead * hd) + k * hd] = 1;
  });

  const manifest = {
    script: spec.script,
    after: spec.after,
    ids: ids.slice(encode(spec.after).length),
    markers: [...new Set(markerOf.values())].map((id) => ({ id, text: tokenText(id) })),
    switching: twoPhase.map(({ token, first, second }) => ({ token, first, second, marker: markerOf.get(token) })),
    hparams: hp,
  };
  return { hp, tensors, manifest };
}

let ranks;
/** Text of an ordinary token id (for the manifest). */
function tokenText(id) {
  ranks ??= loadRanks();
  return ranks[id].toString('utf8');
}

function writeModel(path, name, hp, tensors, vocab, template) {
  const writer = new GgufWriter();
  writeHeader(writer, name, hp, vocab, template);
  for (const [tensorName, dims, type] of tensorShapes(hp)) writer.tensor(tensorName, dims, type, tensors.get(tensorName));
  writer.write(path);
}

function main() {
  const outDir = process.argv[2];
  if (!outDir) {
    console.error('usage: node test/llama/makeModels.mjs <output dir>');
    process.exit(2);
  }
  const template = readFileSync(TEMPLATE, 'utf8');
  let started = Date.now();
  const vocab = buildVocab();
  console.log(`  vocabulary: ${vocab.tokens.length} tokens, ${vocab.merges.length} merges (${Date.now() - started} ms)`);
  const encode = harmonyEncoder();

  started = Date.now();
  writeModel(join(outDir, 'tiny-gpt-oss-random.gguf'), 'tiny-gpt-oss-random', BASE, randomWeights(BASE, 20261122), vocab, template);
  console.log(`  tiny-gpt-oss-random.gguf (${Date.now() - started} ms)`);

  for (const spec of CRAFTED) {
    started = Date.now();
    const { hp, tensors, manifest } = craftedWeights(spec, encode);
    const name = spec.file.replace(/\.gguf$/, '');
    writeModel(join(outDir, spec.file), name, hp, tensors, vocab, template);
    writeFileSync(join(outDir, `${name}.json`), `${JSON.stringify(manifest, null, 2)}\n`);
    console.log(`  ${spec.file}: ${manifest.ids.length} scripted tokens, markers ${manifest.markers.map((m) => JSON.stringify(m.text)).join(', ')} (${Date.now() - started} ms)`);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
