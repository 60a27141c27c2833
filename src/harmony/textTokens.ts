// Text with Harmony markup written literally (llama.cpp /v1/completions, Ollama raw) →
// text pieces and special-token ids. A marker may arrive split over chunks
// (`<|cha` + `nnel|>`): only a tail that could still become a marker is held back.
import { FIRST_SPECIAL_ID, VOCAB_SIZE, specialId, specialText } from './tokens';

/** A piece of streamed text: ordinary text, or the id of a special token written literally. */
export type TextToken = string | number;

let prefixes: ReadonlySet<string> | undefined;

/** Every proper prefix of every special-token literal (`<`, `<|`, `<|cha`, `<|reserved_2000`, …). */
function markerPrefixes(): ReadonlySet<string> {
  if (prefixes) return prefixes;
  const set = new Set<string>();
  for (let id = FIRST_SPECIAL_ID; id < VOCAB_SIZE; id++) {
    const literal = specialText(id)!;
    for (let end = 1; end < literal.length; end++) set.add(literal.slice(0, end));
  }
  prefixes = set;
  return set;
}

/** The longest literal is `<|reserved_200000|>`. */
const LONGEST_MARKER = 19;

/** Where the held-back tail starts: the last `<` if what follows it could still become a marker. */
function heldFrom(text: string): number {
  const at = text.lastIndexOf('<');
  if (at < 0 || text.length - at >= LONGEST_MARKER) return text.length;
  return markerPrefixes().has(text.slice(at)) ? at : text.length;
}

export interface MarkupSplitter {
  push(chunk: string): TextToken[];
  /** Releases a held tail as text: the stream ended before it became a marker. */
  end(): TextToken[];
}

export function createMarkupSplitter(): MarkupSplitter {
  let held = '';

  function split(text: string, out: TextToken[]): void {
    let from = 0;
    let at = text.indexOf('<|');
    while (at >= 0) {
      const close = text.indexOf('|>', at + 2);
      if (close < 0 || close + 2 - at > LONGEST_MARKER) {
        at = text.indexOf('<|', at + 1);
        continue;
      }
      const id = specialId(text.slice(at, close + 2));
      if (id === undefined) {
        at = text.indexOf('<|', at + 1);
        continue;
      }
      if (at > from) out.push(text.slice(from, at));
      out.push(id);
      from = close + 2;
      at = text.indexOf('<|', from);
    }
    if (from < text.length) out.push(text.slice(from));
  }

  return {
    push(chunk) {
      const text = held + chunk;
      const cut = heldFrom(text);
      held = text.slice(cut);
      const out: TextToken[] = [];
      split(cut === text.length ? text : text.slice(0, cut), out);
      return out;
    },
    end() {
      const out: TextToken[] = held === '' ? [] : [held];
      held = '';
      return out;
    },
  };
}
