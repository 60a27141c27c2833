// Fuzzing the Harmony parser: seeded random and mutated token streams, and the invariants
// every one of them must keep. Shared by the unit test (a few thousand streams) and
// `npm run fuzz` (millions).
//
// The invariants, for a stream of ids:
// - no exception, and the events are well formed: messageStart i, its deltas, messageEnd i,
//   indices 0, 1, 2, … in order, every message ended, each message's content = its deltas;
// - nothing lost: the input decoded without its special tokens (each run of ordinary ids
//   decoded on its own, as a special token flushes a cut character) equals, in event order,
//   each header's text without its marker literals, then its content deltas, and the
//   unparsed texts (markers after the turn ended are written into them literally). Every
//   character is in exactly one of them;
// - each message's token span decodes to its own header text and content;
// - the same stream decoded to text and pushed in random chunks gives the same messages
//   (unless it has no marker at all and reads as stripped Harmony: then only text mode splits it).
import assert from 'node:assert/strict';
import { createParser } from '../../src/harmony/parser';
import type { ParsedMessage, ParserEvent } from '../../src/harmony/parserTypes';
import { encodeWithMarkup, tokenBytes } from '../../src/harmony/tokenizer';
import { FIRST_SPECIAL_ID, Special, isSpecialId, specialId, specialText } from '../../src/harmony/tokens';

/** mulberry32: small, fast, and the same sequence on every machine. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Random = () => number;
const int = (random: Random, n: number): number => Math.floor(random() * n);
const pick = <T>(random: Random, items: readonly T[]): T => items[int(random, items.length)]!;

const STRUCTURAL = [Special.start, Special.channel, Special.message, Special.constrain, Special.end, Special.call, Special.return];
const OTHER_SPECIALS = [Special.startOfText, Special.endOfText, 200000, 200013, 200018, 201087];
/** Not token ids at all: the parser must still not throw, and show U+FFFD. */
const NOT_IDS = [-1, 201088, 2 ** 32 - 1, 1.5];

let byteTokens: number[] | undefined;

/** Ordinary ids whose bytes are not valid UTF-8 alone (halves of characters). */
function partialTokens(): number[] {
  if (byteTokens) return byteTokens;
  const strict = new TextDecoder('utf-8', { fatal: true });
  byteTokens = [];
  for (let id = 0; id < FIRST_SPECIAL_ID; id += 7) {
    try {
      strict.decode(tokenBytes(id));
    } catch {
      byteTokens.push(id);
    }
  }
  return byteTokens;
}

/** Completions as gpt-oss writes them (and as it gets them wrong), to mutate. */
export const CORPUS: readonly string[] = [
  '<|channel|>analysis<|message|>User asks for the weather in Tokyo. Need to call get_weather.<|end|><|start|>assistant<|channel|>commentary to=functions.get_weather <|constrain|>json<|message|>{"city":"Tokyo"}<|call|>',
  '<|channel|>analysis<|message|>Simple greeting, reply briefly.<|end|><|start|>assistant<|channel|>final<|message|>Hello! How can I help you today?<|return|>',
  "<|channel|>commentary to=assistant<|channel|>analysis<|message|>I'm\nthinking<|end|><|start|>assistant<|channel|>final<|message|>Hello, world!\nWhat's up?",
  "I must refuse<|end|><|start|>assistant<|channel|>analysis<|message|>We must refuse<|end|><|start|>assistant<|channel|>final<|message|>I'm sorry, but I can't help with that.<|return|>",
  '<|channel|>analysis<|message|>{long chain of thought}<|end|><|start|>assistant<|channel|>commentary<|message|>**Action plan**:\n1. Generate\n<|end|><|start|>assistant to=functions.generate_file<|channel|>commentary<|constrain|>json<|message|>{"template": "basic_html", "path": "index.html"}<|call|>',
  '<|channel|>analysis<|message|>Emoji 💖🇺🇸 and 日本語のテキスト, naïve café.<|end|><|start|>assistant<|channel|>final <|constrain|>json<|message|>{"answer": "👩‍👩‍👧‍👦"}<|return|>',
  '<|channel|>commentary ––commentary to=functions.web-browsing to=functions.web-browsing json<|message|>{"q": "x"}<|call|>',
  '<|channel|>analysis<|message|>I will execute python<|end|><|start|>assistant<|channel|>commentary to=python <|constrain|>code<|message|>print("hello")<|call|>comment.',
  '<|channel|>??<|end|><|start|>assistant<|channel|>commentary?commentary?We need it.<|end|><|channel|>final<|message|>Answer<|return|>\n',
  ' to=functions.special_function<|channel|>analysis <|constrain|>json<|message|>{"arg1": 1}',
];

let encodedCorpus: number[][] | undefined;
export function corpusIds(): number[][] {
  encodedCorpus ??= CORPUS.map((text) => encodeWithMarkup(text));
  return encodedCorpus;
}

function randomId(random: Random): number {
  const roll = random();
  if (roll < 0.55) return int(random, FIRST_SPECIAL_ID);
  if (roll < 0.8) return pick(random, STRUCTURAL);
  if (roll < 0.9) return pick(random, partialTokens());
  if (roll < 0.95) return pick(random, OTHER_SPECIALS);
  return pick(random, NOT_IDS);
}

export function randomStream(random: Random): number[] {
  const length = int(random, 60);
  return Array.from({ length }, () => randomId(random));
}

const specialsIn = (ids: readonly number[]): number[] => ids.flatMap((id, i) => (isSpecialId(id) ? [i] : []));

/** One mutation of the kinds real servers and models produce: lost, doubled or swapped markers, cuts. */
function mutate(ids: number[], random: Random): number[] {
  const specials = specialsIn(ids);
  const at = int(random, ids.length + 1);
  switch (int(random, 8)) {
    case 0: // a marker deleted
      if (specials.length > 0) ids.splice(pick(random, specials), 1);
      return ids;
    case 1: // a marker duplicated
      if (specials.length > 0) {
        const i = pick(random, specials);
        ids.splice(i, 0, ids[i]!);
      }
      return ids;
    case 2: // neighbours swapped
      if (at + 1 < ids.length) [ids[at], ids[at + 1]] = [ids[at + 1]!, ids[at]!];
      return ids;
    case 3: // a marker where none belongs
      ids.splice(at, 0, pick(random, STRUCTURAL));
      return ids;
    case 4: // cut short (max_tokens)
      return ids.slice(0, at);
    case 5: // one id replaced by any id
      if (at < ids.length) ids[at] = randomId(random);
      return ids;
    case 6: // two completions spliced
      return [...ids.slice(0, at), ...pick(random, corpusIds()).slice(int(random, 40))];
    default: // a stretch lost
      ids.splice(at, 1 + int(random, 6));
      return ids;
  }
}

export function mutatedStream(random: Random): number[] {
  let ids = [...pick(random, corpusIds())];
  const rounds = 1 + int(random, 3);
  for (let r = 0; r < rounds; r++) ids = mutate(ids, random);
  return ids;
}

/**
 * Ids → text, independently of the parser: one streaming decoder, flushed at each special
 * token, U+FFFD for unknown ids. (Keeps a leading U+FEFF, which a default TextDecoder drops.)
 */
export function decode(ids: readonly number[]): string {
  const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
  let text = '';
  for (const id of ids) {
    const special = specialText(id);
    if (special !== undefined) text += decoder.decode() + special;
    else {
      const bytes = tokenBytes(id);
      text += bytes === undefined ? decoder.decode() + '\uFFFD' : decoder.decode(bytes, { stream: true });
    }
  }
  return text + decoder.decode();
}

/** Removes special-token literals: what the parser consumes as markers. */
function withoutMarkers(text: string): string {
  return text.replace(/<\|[a-z_0-9]+\|>/g, (literal) => (specialId(literal) === undefined ? literal : ''));
}

/** The input's characters: each run of ordinary ids decoded on its own. */
function decodedWithoutSpecials(ids: readonly number[]): string {
  let text = '';
  let run: number[] = [];
  for (const id of ids) {
    if (isSpecialId(id)) {
      text += decode(run);
      run = [];
    } else run.push(id);
  }
  return text + decode(run);
}

/** Splits a text at a few random points (markers included: the parser must join them). */
function randomChunks(text: string, random: Random): string[] {
  const cuts = Array.from({ length: int(random, 5) }, () => int(random, text.length + 1)).sort((a, b) => a - b);
  const chunks: string[] = [];
  let from = 0;
  for (const cut of cuts) {
    chunks.push(text.slice(from, cut));
    from = cut;
  }
  chunks.push(text.slice(from));
  return chunks;
}

/** Events well formed; returns the characters they carry, in order. */
function checkEvents(events: readonly ParserEvent[]): string {
  let open: { index: number; content: string } | undefined;
  let next = 0;
  let carried = '';
  for (const event of events) {
    switch (event.type) {
      case 'messageStart':
        assert.equal(open, undefined, 'messageStart inside a message');
        assert.equal(event.index, next++, 'indices in order');
        open = { index: event.index, content: '' };
        carried += withoutMarkers(event.header.headerText ?? '');
        break;
      case 'contentDelta':
        assert.equal(event.index, open?.index, 'delta of the open message');
        assert.notEqual(event.text, '', 'no empty delta');
        open!.content += event.text;
        carried += event.text;
        break;
      case 'messageEnd':
        assert.equal(event.index, open?.index, 'end of the open message');
        assert.equal(event.message.content, open!.content, 'content = its deltas');
        open = undefined;
        break;
      case 'unparsed':
        assert.equal(open, undefined, 'unparsed text only between messages');
        assert.notEqual(event.text, '');
        // After <|call|>/<|return|> markers are kept as literal text in the unparsed output.
        carried += withoutMarkers(event.text);
        break;
    }
  }
  assert.equal(open, undefined, 'every message ended');
  return carried;
}

/** What text mode can know of a message: no token span, and no note about ids the vocabulary lacks (text has only their U+FFFD). */
const withoutTokens = (messages: readonly ParsedMessage[]): unknown[] =>
  messages.map(({ tokens: _tokens, ...rest }) => ({ ...rest, notes: rest.notes.filter((n) => n.code !== 'invalidTokenId') }));

/** Every invariant for one stream of ids; throws an AssertionError naming the first broken one. */
export function checkStream(ids: readonly number[], random: Random): void {
  const parser = createParser({ role: 'assistant' });
  const events: ParserEvent[] = [];
  for (let i = 0; i < ids.length; ) {
    const batch = 1 + int(random, 4);
    events.push(...parser.pushTokens(ids.slice(i, i + batch)));
    i += batch;
  }
  events.push(...parser.end());
  assert.equal(checkEvents(events), decodedWithoutSpecials(ids), 'every character accounted for (ids)');

  for (const message of parser.messages) {
    // Layout whitespace before a header may have come in the same token as the text before
    // it (`…]}"\n` then `<|channel|>`): that token is the unparsed text's, not the message's.
    const own = withoutMarkers(message.headerText ?? '') + message.content;
    const span = decodedWithoutSpecials(message.tokens ?? []);
    assert.ok(own.endsWith(span) && own.slice(0, own.length - span.length).trim() === '', `span decodes to its message: ${JSON.stringify(span)} vs ${JSON.stringify(own)}`);
  }

  const text = decode(ids);
  const byText = createParser({ role: 'assistant' });
  const textEvents = randomChunks(text, random).flatMap((chunk) => byText.pushText(chunk));
  textEvents.push(...byText.end());
  assert.equal(checkEvents(textEvents), withoutMarkers(text), 'every character accounted for (text)');
  // Text without any marker whose seams read as stripped Harmony (`analysis…assistantfinal…`) is
  // split in text mode; the same characters as ids are what the model wrote (ids decide).
  const stripped = !ids.some(isSpecialId) && byText.messages.some((m) => m.notes.some((n) => n.code === 'strippedMarkers' || n.code === 'strippedAmbiguous'));
  if (!stripped) assert.deepEqual(withoutTokens(byText.messages), withoutTokens(parser.messages), 'text reads like ids');
}

/** A failing stream, ready to paste into a test. */
export function describeFailure(ids: readonly number[], error: unknown): string {
  return `${(error as Error).message}\nids: ${JSON.stringify(ids)}\ntext: ${JSON.stringify(decode(ids))}`;
}
