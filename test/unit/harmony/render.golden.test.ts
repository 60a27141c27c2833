// Every text golden of openai/harmony's test-data, rendered from the conversation its
// own test builds (src/tests.rs, tests/test_harmony.py), compared id for id.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderConversation, renderForCompletion, type AnalysisPolicy } from '../../../src/harmony/render';
import { decode } from '../../../src/harmony/tokenizer';
import { Special } from '../../../src/harmony/tokens';
import {
  defaultSystemContent,
  developerMessage,
  message,
  systemMessage,
  type Message,
  type ReasoningEffort,
} from '../../../src/harmony/types';
import { BROWSER, PYTHON } from '../../support/builtinTools';
import { assertTokensEqual } from '../../support/assertTokens';
import { goldenIds, goldenText, textGoldenNames } from '../../support/goldens';

const IDENTITY = 'You are ChatGPT, a large language model trained by OpenAI.';
const CAPITAL = 'What is the capital of the largest country in the world?';

function effortConversation(effort: ReasoningEffort, withInstructions: boolean): Message[] {
  return [
    systemMessage(defaultSystemContent({ modelIdentity: IDENTITY, reasoningEffort: effort })),
    ...(withInstructions ? [developerMessage({ instructions: "Answer the user's questions like a robot." })] : []),
    message('user', CAPITAL),
  ];
}

const functionsWithParameters = developerMessage({
  instructions: 'Always respond in riddles',
  tools: [
    {
      name: 'functions',
      tools: [
        { name: 'get_location', description: 'Gets the location of the user.' },
        {
          name: 'get_current_weather',
          description: 'Gets the current weather in the provided location.',
          parameters: {
            type: 'object',
            properties: {
              location: { type: 'string', description: 'The city and state, e.g. San Francisco, CA' },
              format: { type: 'string', enum: ['celsius', 'fahrenheit'], default: 'celsius' },
            },
            required: ['location'],
          },
        },
        {
          name: 'get_multiple_weathers',
          description: 'Gets the current weather in the provided list of locations.',
          parameters: {
            type: 'object',
            properties: {
              locations: {
                type: 'array',
                items: { type: 'string' },
                description: 'List of city and state, e.g. ["San Francisco, CA", "New York, NY"]',
              },
              format: { type: 'string', enum: ['celsius', 'fahrenheit'], default: 'celsius' },
            },
            required: ['locations'],
          },
        },
        {
          name: 'kitchensink',
          description: 'A function with various complex schemas.',
          parameters: {
            description: 'params object',
            type: 'object',
            properties: {
              string: { type: 'string', title: 'STRING', description: 'A string', examples: ['hello', 'world'] },
              string_nullable: { type: 'string', nullable: true, description: 'A nullable string', default: 'the default' },
              string_enum: { type: 'string', enum: ['a', 'b', 'c'] },
              oneof_string_or_number: {
                oneOf: [
                  { type: 'string', default: 'default_string_in_oneof' },
                  { type: 'number', description: 'numbers can happen too' },
                ],
                description: 'a oneof',
                default: 20,
              },
            },
          },
        },
      ],
    },
  ],
});

const lookupWeather = developerMessage({
  tools: [
    {
      name: 'functions',
      tools: [
        {
          name: 'lookup_weather',
          description:
            "Use this tool to lookup the weather in a given location. Call it with the parameter 'location', can be any textual description of a location.",
          parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
        },
      ],
    },
  ],
});

const twoPlusTwoThenNineHalves: Message[] = [
  message('user', 'What is 2 + 2?'),
  message('assistant', 'User asks a simple question: "What is 2 + 2?" The answer: 4.', { channel: 'analysis' }),
  message('assistant', '2 + 2 equals 4.', { channel: 'final' }),
  message('user', 'What about 9 / 2?'),
];

interface Case {
  readonly messages: Message[];
  readonly analysis: AnalysisPolicy;
  readonly completion: boolean;
  /** Tokens the golden leaves out at its end (it was written for a parser test that stops before them). */
  readonly goldenOmits?: readonly number[];
}

const completion = (messages: Message[], analysis: AnalysisPolicy = 'keep'): Case => ({ messages, analysis, completion: true });

const CASES: Record<string, Case> = {
  test_simple_convo: completion([systemMessage(defaultSystemContent({ modelIdentity: IDENTITY })), message('user', 'What is 2 + 2?')]),
  test_simple_convo_low_effort: completion(effortConversation('low', true)),
  test_simple_convo_medium_effort: completion(effortConversation('medium', true)),
  test_simple_convo_high_effort: completion(effortConversation('high', true)),
  test_simple_convo_low_effort_no_instruction: completion(effortConversation('low', false)),
  test_simple_convo_medium_effort_no_instruction: completion(effortConversation('medium', false)),
  test_simple_convo_high_effort_no_instruction: completion(effortConversation('high', false)),
  test_reasoning_system_message: completion([
    systemMessage(defaultSystemContent({ modelIdentity: IDENTITY, channelConfig: { validChannels: ['analysis', 'final'], channelRequired: true } })),
    message('user', 'What is 2 + 2?'),
  ]),
  test_reasoning_system_message_no_instruction: completion([
    systemMessage(
      defaultSystemContent({ modelIdentity: IDENTITY, reasoningEffort: 'high', channelConfig: { validChannels: ['analysis', 'final'], channelRequired: true } }),
    ),
    message('user', 'What is the best place to eat candy in the world?'),
  ]),
  test_reasoning_system_message_with_dates: completion([
    systemMessage(
      defaultSystemContent({
        modelIdentity: IDENTITY,
        conversationStartDate: '2021-01-01',
        knowledgeCutoff: '2021-01',
        channelConfig: { validChannels: ['analysis', 'final'], channelRequired: true },
      }),
    ),
    message('user', 'What is 42 * pi?'),
  ]),
  test_render_functions_with_parameters: completion([
    systemMessage(defaultSystemContent({ reasoningEffort: 'high', conversationStartDate: '2025-06-28' })),
    functionsWithParameters,
    message('user', 'What is the weather like in SF?'),
  ]),
  test_no_tools: completion([systemMessage(defaultSystemContent({ conversationStartDate: '2025-06-28' }))]),
  test_browser_tool_only: completion([systemMessage(defaultSystemContent({ conversationStartDate: '2025-06-28', tools: [BROWSER] }))]),
  test_browser_and_python_tool: completion([
    systemMessage(defaultSystemContent({ conversationStartDate: '2025-06-28', tools: [PYTHON, BROWSER] })),
  ]),
  test_browser_and_function_tool: completion([
    systemMessage(defaultSystemContent({ conversationStartDate: '2025-06-28', tools: [BROWSER] })),
    lookupWeather,
  ]),
  test_dropping_cot_by_default: completion(twoPlusTwoThenNineHalves, 'harmony'),
  test_preserve_cot: completion(twoPlusTwoThenNineHalves, 'keep'),
  test_does_not_drop_if_ongoing_analysis: completion(
    [
      message('user', 'What is the weather in SF?'),
      message('assistant', 'User asks: “What is the weather in SF?” We need to use lookup_weather tool.', { channel: 'analysis' }),
      message('assistant', '{"location": "San Francisco"}', {
        channel: 'commentary',
        recipient: 'functions.lookup_weather',
        contentType: '<|constrain|>json',
      }),
      message('tool', '{"temperature": 20, "description": "sunny"}', { name: 'functions.lookup_weather' }),
    ],
    'harmony',
  ),
  test_tool_response_parsing: {
    completion: false,
    analysis: 'keep',
    goldenOmits: [Special.end],
    messages: [
      message('tool', '{"result": "https://openai.com/"}', { name: 'browser.search', recipient: 'assistant', channel: 'commentary' }),
    ],
  },
  test_keep_analysis_between_finals: {
    completion: false,
    analysis: 'harmony',
    messages: [
      message('user', 'What is 2 + 2?'),
      message('assistant', 'thinking 2+2', { channel: 'analysis' }),
      message('assistant', '4', { channel: 'final' }),
      message('user', 'What is 3 + 5?'),
      message('assistant', 'thinking 3+5', { channel: 'analysis' }),
      message('assistant', '8', { channel: 'final' }),
    ],
  },
};

// test_streamable_parser is model output with the recipient after the channel, a form
// harmony's renderer never writes; the parser tests read it. Every other text golden is here.
const PARSER_ONLY = new Set(['test_streamable_parser']);

test('every text golden with token ids but the parser one has a render case here', () => {
  const renderGoldens = textGoldenNames().filter((n) => !PARSER_ONLY.has(n));
  assert.equal(renderGoldens.length, 20);
  assert.deepEqual(Object.keys(CASES).sort(), renderGoldens);
});

// Harmony's exact schema text, and the safe default (identical for these ordinary tool schemas).
for (const [name, c] of Object.entries(CASES)) {
  for (const schemaStyle of ['harmony', 'safe'] as const) {
    test(`renders ${name} token-exact (${schemaStyle} schema text)`, () => {
      const options = { analysis: c.analysis, schemaStyle };
      const ids = c.completion ? renderForCompletion(c.messages, 'assistant', options) : renderConversation(c.messages, options);
      const omitted = c.goldenOmits ?? [];
      assertTokensEqual(ids, [...goldenIds(name), ...omitted], name);
      assert.equal(decode(ids), goldenText(name) + decode(omitted));
    });
  }
}

test('the default policy drops the analysis of a finished turn and keeps the ongoing one', () => {
  const dropped = renderForCompletion(twoPlusTwoThenNineHalves);
  assertTokensEqual(dropped, goldenIds('test_dropping_cot_by_default'));
  const ongoing = CASES.test_does_not_drop_if_ongoing_analysis!.messages;
  assertTokensEqual(renderForCompletion(ongoing), goldenIds('test_does_not_drop_if_ongoing_analysis'));
});

test('the default policy, unlike harmony’s first-final rule, drops analysis between later finals', () => {
  const messages = CASES.test_keep_analysis_between_finals!.messages;
  const text = decode(renderConversation(messages));
  assert.ok(!text.includes('thinking 3+5'));
  assert.ok(!text.includes('thinking 2+2'));
  assert.ok(decode(renderConversation(messages, { analysis: 'harmony' })).includes('thinking 3+5'));
});
