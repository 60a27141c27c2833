// Sampling as each wire format names it: one table, so that a field added here reaches every
// route (llama.cpp /completion, Ollama options, SGLang's sampling_params, the OpenAI-style completion
// and chat bodies).
// What the user set in gptOss.extraBody is merged over these by the routes.
import type { CompletionRequest } from '../types';

export type SamplingFormat = 'openai' | 'responses' | 'llamacpp' | 'ollama' | 'sglang';

type SamplingField = 'maxTokens' | 'temperature' | 'topP' | 'topK' | 'minP';

const FIELD_NAMES: Readonly<Record<SamplingField, Readonly<Record<SamplingFormat, string>>>> = {
  maxTokens: { openai: 'max_tokens', responses: 'max_output_tokens', llamacpp: 'n_predict', ollama: 'num_predict', sglang: 'max_new_tokens' },
  temperature: { openai: 'temperature', responses: 'temperature', llamacpp: 'temperature', ollama: 'temperature', sglang: 'temperature' },
  topP: { openai: 'top_p', responses: 'top_p', llamacpp: 'top_p', ollama: 'top_p', sglang: 'top_p' },
  // vLLM, SGLang, llama.cpp and LM Studio read top_k/min_p beside the OpenAI fields.
  topK: { openai: 'top_k', responses: 'top_k', llamacpp: 'top_k', ollama: 'top_k', sglang: 'top_k' },
  minP: { openai: 'min_p', responses: 'min_p', llamacpp: 'min_p', ollama: 'min_p', sglang: 'min_p' },
};

export type SamplingValues = Pick<CompletionRequest, SamplingField>;

/** The request's sampling values under the format's field names; unset values are left out. */
export function samplingFields(values: SamplingValues, format: SamplingFormat): Record<string, number> {
  const out: Record<string, number> = {};
  for (const field of Object.keys(FIELD_NAMES) as SamplingField[]) {
    const value = values[field];
    if (value !== undefined) out[FIELD_NAMES[field][format]] = value;
  }
  return out;
}
