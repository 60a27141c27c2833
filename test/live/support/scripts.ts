// The Harmony texts the live tests script, and the prompt they send. The two answers are the ones
// the crafted models say by themselves (test/llama/makeModels.mjs) and test/fixtures/README.md names.
import { encodeWithMarkup } from '../../../src/harmony/tokenizer';

export const ANALYSIS_TOOL = 'User asks for the weather in Tokyo. Need to call get_weather.';
export const TOOL_ARGUMENTS = '{"city":"Tokyo"}';
/** analysis → tool call, ending at <|call|>. */
export const TOOL_CALL_SCRIPT =
  `<|channel|>analysis<|message|>${ANALYSIS_TOOL}<|end|>`
  + `<|start|>assistant<|channel|>commentary to=functions.get_weather <|constrain|>json<|message|>${TOOL_ARGUMENTS}<|call|>`;

export const ANALYSIS_FINAL = 'Simple greeting, reply briefly.';
export const FINAL_ANSWER = 'Hello! How can I help you today?';
/** analysis → final answer, ending at <|return|>. */
export const FINAL_SCRIPT =
  `<|channel|>analysis<|message|>${ANALYSIS_FINAL}<|end|><|start|>assistant<|channel|>final<|message|>${FINAL_ANSWER}<|return|>`;

/** Multi-byte text whose characters are split over tokens only at character boundaries (forceable). */
export const MULTIBYTE_SCRIPT =
  '<|channel|>analysis<|message|>天気を調べる 😀<|end|><|start|>assistant<|channel|>final<|message|>東京は晴れ ☀️ 25°C<|return|>';

/** A Harmony prompt (what a renderer would send) ending in the generation prompt. */
export const PROMPT_TEXT =
  '<|start|>system<|message|>You are ChatGPT, a large language model trained by OpenAI.\nKnowledge cutoff: 2024-06\n\n'
  + 'Reasoning: medium\n\n# Valid channels: analysis, commentary, final. Channel must be included for every message.\n'
  + "Calls to these tools must go to the commentary channel: 'functions'.<|end|>"
  + '<|start|>developer<|message|># Tools\n\n## functions\n\nnamespace functions {\n\n// Get the current weather for a city\n'
  + 'type get_weather = (_: {\n// City name\ncity: string,\n}) => any;\n\n} // namespace functions<|end|>'
  + "<|start|>user<|message|>What's the weather in Tokyo?<|end|><|start|>assistant";

export const promptIds = (): number[] => encodeWithMarkup(PROMPT_TEXT);

/** An OpenAI chat request with the get_weather tool (as in test/fixtures/llama.cpp/req-scripted-toolcall-stream.json). */
export const WEATHER_TOOL = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Get the current weather for a city',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string', description: 'City name' }, unit: { type: 'string', enum: ['c', 'f'] } },
      required: ['city'],
    },
  },
} as const;
