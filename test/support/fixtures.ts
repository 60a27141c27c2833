// Where the tests' reference data lives: test/fixtures (origin and licence of each file in its README.md).
import { join } from 'node:path';

export const FIXTURES = join(__dirname, '../fixtures');
/** openai/harmony's golden texts, their token ids, schema examples and the official chat template. */
export const HARMONY_FIXTURES = join(FIXTURES, 'harmony');
/** The official gpt-oss chat template (Hugging Face openai/gpt-oss-20b chat_template.jinja). */
export const CHAT_TEMPLATE = join(HARMONY_FIXTURES, 'gpt-oss-chat-template.jinja');
/** Streams captured from a real llama-server and the requests that produced them. */
export const LLAMACPP_CAPTURES = join(FIXTURES, 'llama.cpp');
