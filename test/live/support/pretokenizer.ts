// Where llama.cpp's pre-tokenizer splits text differently from o200k's (measured on the live
// server, llama.cpp de3ff81 with tokenizer.ggml.pre = "gpt-4o"). llama.cpp's gpt-4o regex leaves
// \p{M} out of its letter classes, so a combining mark (Devanagari, Thai, Tamil, Myanmar vowel
// signs and viramas) ends a pre-token where o200k keeps it inside the word. Ours = harmony's ids.

export interface PretokenizerSample {
  script: string;
  text: string;
  /** Our (= tiktoken's o200k_harmony) ids. */
  ours: number[];
  /** llama-server's /tokenize ids. */
  llama: number[];
}

export const PRETOKENIZER_SAMPLES: readonly PretokenizerSample[] = [
  { script: 'Devanagari', text: 'नमस्ते दुनिया', ours: [998, 1637, 14681, 628, 64593], llama: [998, 1637, 1496, 4385, 628, 2630, 11225, 3800, 519] },
  { script: 'Thai', text: 'สวัสดีครับ', ours: [4406, 187986, 21883, 2293, 123723], llama: [4406, 3788, 2446, 21883, 2293, 16925, 11577] },
  { script: 'Tamil', text: 'வணக்கம்', ours: [6215, 8670, 102411], llama: [6215, 8670, 5465, 3647, 7599, 902] },
  { script: 'Myanmar', text: 'မင်္ဂလာပါ', ours: [10757, 20812, 6139, 90346, 132681, 27284], llama: [10757, 9639, 6280, 6139, 90346, 17316, 6853, 10279, 19359] },
  { script: 'Khmer', text: 'សួស្តី', ours: [15526, 37856, 15526, 34948, 15844], llama: [15526, 37856, 15526, 34948, 15844] },
  { script: 'Latin with precomposed accents', text: 'héllo wörld', ours: [79163, 72807, 286, 2877, 582], llama: [79163, 72807, 286, 2877, 582] },
  { script: 'Japanese', text: 'こんにちは世界', ours: [95839, 28428], llama: [95839, 28428] },
  { script: 'Emoji with skin tone', text: '😀👍🏽', ours: [84083, 82514, 52622, 121], llama: [84083, 82514, 52622, 121] },
  { script: 'Upper-case contractions', text: "I'LL DON'T", ours: [40, 6, 7454, 153384], llama: [40, 6, 7454, 153384] },
];
