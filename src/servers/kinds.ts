// Each server kind's name as people know it, for logs, hints and the doctor's report.
import { HOSTED_PROVIDERS, isHostedKind } from './routes/providers';
import type { ServerKind } from './types';

const SELF_HOSTED: Record<Exclude<ServerKind, keyof typeof HOSTED_PROVIDERS>, string> = {
  vllm: 'vLLM',
  sglang: 'SGLang',
  llamacpp: 'llama.cpp',
  ollama: 'Ollama',
  lmstudio: 'LM Studio',
  openai: 'an OpenAI-compatible server',
};

export function kindName(kind: ServerKind): string {
  return isHostedKind(kind) ? HOSTED_PROVIDERS[kind].name : SELF_HOSTED[kind];
}
