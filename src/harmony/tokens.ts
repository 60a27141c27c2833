// The Harmony special tokens of o200k_harmony, by name. The renderer and the
// parser refer to special tokens only through this table.

export const Special = {
  startOfText: 199998,
  endOfText: 199999,
  return: 200002,
  constrain: 200003,
  channel: 200005,
  start: 200006,
  end: 200007,
  message: 200008,
  call: 200012,
} as const;

export type SpecialName = keyof typeof Special;

/** Ids 0…199997 are o200k_base ranks; 199998…201087 are special (the tiktoken layout gpt-oss uses). */
export const FIRST_SPECIAL_ID = 199998;
export const VOCAB_SIZE = 201088;

/** The literal text of each named special token: `LITERAL.constrain` is `<|constrain|>`. */
export const LITERAL: { readonly [name in SpecialName]: string } = {
  startOfText: '<|startoftext|>',
  endOfText: '<|endoftext|>',
  return: '<|return|>',
  constrain: '<|constrain|>',
  channel: '<|channel|>',
  start: '<|start|>',
  end: '<|end|>',
  message: '<|message|>',
  call: '<|call|>',
};

/** The content type of a function call's JSON arguments, as harmony writes it. */
export const JSON_CALL_CONTENT_TYPE = `${LITERAL.constrain}json`;

const NAMED_TEXT: ReadonlyMap<number, string> = new Map((Object.keys(LITERAL) as SpecialName[]).map((name) => [Special[name], LITERAL[name]]));

/** Tokens that end a message. */
export const MESSAGE_STOP_TOKENS: ReadonlySet<number> = new Set([Special.return, Special.call, Special.end]);

/** Tokens that end generation: give these to the sampler. `<|end|>` must not stop it. */
export const ASSISTANT_STOP_TOKENS: readonly number[] = [Special.return, Special.call];

export function isSpecialId(id: number): boolean {
  return Number.isInteger(id) && id >= FIRST_SPECIAL_ID && id < VOCAB_SIZE;
}

/** Literal text of a special token id (`<|reserved_200018|>` for reserved ids), or undefined. */
export function specialText(id: number): string | undefined {
  if (!isSpecialId(id)) return undefined;
  return NAMED_TEXT.get(id) ?? `<|reserved_${id}|>`;
}

const TEXT_TO_ID: ReadonlyMap<string, number> = new Map([...NAMED_TEXT].map(([id, text]) => [text, id]));

/** Id of a special token's literal text, e.g. `<|channel|>` → 200005, `<|reserved_200100|>` → 200100. */
export function specialId(text: string): number | undefined {
  const named = TEXT_TO_ID.get(text);
  if (named !== undefined) return named;
  const reserved = /^<\|reserved_(\d{6})\|>$/.exec(text);
  if (!reserved) return undefined;
  const id = Number(reserved[1]);
  return isSpecialId(id) && !NAMED_TEXT.has(id) ? id : undefined;
}

/** Matches every literal that could be a special token, for splitting transcripts. */
export const SPECIAL_LITERAL = /<\|[a-z_0-9]+\|>/g;
