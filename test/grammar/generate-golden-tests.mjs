// Writes test/grammar/goldens/<name>.test.harmony for every text golden in
// test/fixtures/harmony/test-data (openai/harmony's goldens): the golden verbatim, each line followed by
// vscode-tmgrammar-test assertions (scopes at columns).
//
// The expected scopes come from a small reference reading of the transcript written
// here, procedurally, from the Harmony message grammar (harmony's src/encoding.rs: how a message is
// rendered, and how StreamableParser reads a header) — not from
// running the TextMate grammar — so the tests check the grammar against an independent
// account of where each token, header part and body is.
//
//   node test/grammar/generate-golden-tests.mjs           rewrite the files
//   node test/grammar/generate-golden-tests.mjs --check   exit 1 when a committed file is stale
//
// Skipped: goldens that are token-id lists, not transcripts (test_simple_reasoning_response,
// test_simple_tool_call: whitespace-separated ids that harmony's tests feed to its parser).
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;
const TEST_DATA = join(root, 'test/fixtures/harmony/test-data');
const OUT_DIR = join(root, 'test/grammar/goldens');
const COMMENT = '%%';
const L = 'gpt-oss-harmony';
const s = (name) => `${name}.${L}`;

const ROLES = ['system', 'developer', 'user', 'assistant'];
const TOKEN = {
  start: s('keyword.control.start'),
  end: s('keyword.control.end'),
  call: s('keyword.control.call'),
  return: s('keyword.control.return'),
  channel: s('keyword.other.channel'),
  message: s('keyword.other.message'),
  constrain: s('keyword.other.constrain'),
  startoftext: s('keyword.control.startoftext'),
  endoftext: s('keyword.control.endoftext'),
};
const RESERVED = s('keyword.other.reserved');
const STRAY = s('invalid.illegal.stray');
const MSG = s('meta.message');
const HDR = s('meta.header');
const TERMINATORS = new Set(['end', 'call', 'return']);
const BREAKS = new Set(['start', 'startoftext', 'endoftext']);
const STRUCTURAL = new Set([...TERMINATORS, ...BREAKS, 'message']);

/** Scopes of a body's text by its first channel (undefined: no <|channel|> in the header). */
function textBodyScopes(channel) {
  if (channel === 'analysis') return [s('meta.content.analysis'), s('comment.block.analysis')];
  if (channel === 'commentary') return [s('meta.content.commentary'), s('markup.italic.commentary')];
  if (channel === 'final') return [s('meta.content.final')];
  if (channel !== undefined) return [s('meta.content.custom-channel')];
  return [s('meta.content')];
}
function jsonBodyScopes(channel) {
  let content = s('meta.content');
  if (['analysis', 'commentary', 'final'].includes(channel)) content = s(`meta.content.${channel}`);
  else if (channel !== undefined) content = s('meta.content.custom-channel');
  return [content, s('meta.embedded.block.json')];
}

/** Every special token in the text, in order. */
function specials(text) {
  const re = /<\|(start|end|call|return|message|channel|constrain|startoftext|endoftext|reserved_\d+)\|>/g;
  return [...text.matchAll(re)].map((m) => ({ name: m[1], start: m.index, end: m.index + m[0].length }));
}

/**
 * The reference reading: a list of {start, end, scopes} over absolute offsets, each
 * meaning "every token in this range carries these scopes, in this order".
 */
export function expectations(text) {
  const out = [];
  const expect = (start, end, scopes) => {
    if (end > start) out.push({ start, end, scopes });
  };
  const toks = specials(text);
  const nextAt = (pos, names) => toks.find((t) => t.start >= pos && (!names || names.has(t.name)));
  let pos = 0;
  while (pos < text.length) {
    const t = nextAt(pos);
    if (!t) break;
    if (t.name === 'start' || t.name === 'channel') {
      pos = message(t);
      continue;
    }
    if (t.name.startsWith('reserved_')) expect(t.start, t.end, [RESERVED]);
    else if (t.name === 'startoftext' || t.name === 'endoftext') expect(t.start, t.end, [TOKEN[t.name]]);
    else expect(t.start, t.end, [TOKEN[t.name], STRAY]);
    pos = t.end;
  }
  return out;

  /** A message from its <|start|> (or implicit <|channel|>); returns where reading goes on. */
  function message(first) {
    const explicit = first.name === 'start';
    if (explicit) expect(first.start, first.end, [MSG, TOKEN.start]);
    const headerFrom = explicit ? first.end : first.start;
    // The header ends at the first structural token; it must be on the same line.
    const stop = nextAt(headerFrom, STRUCTURAL);
    const newline = text.indexOf('\n', headerFrom);
    const headerEnd = Math.min(stop ? stop.start : text.length, newline === -1 ? text.length : newline);
    if (stop && stop.name === 'message' && stop.start === headerEnd) {
      const head = header(headerFrom, headerEnd, explicit, true);
      expect(stop.start, stop.end, [MSG, TOKEN.message]);
      return body(stop.end, head);
    }
    // No <|message|>: the recognisable prefix, then everything up to the stop token is flagged.
    const prefixEnd = headlessPrefixEnd(headerFrom, explicit);
    header(headerFrom, prefixEnd, explicit, false);
    const end = nextAt(prefixEnd, new Set([...TERMINATORS, ...BREAKS]));
    const restEnd = end ? end.start : text.length;
    forEachTextRun(prefixEnd, restEnd, (a, b) => expect(a, b, [MSG, s('invalid.illegal.missing-message')]));
    return terminate(end);
  }

  function terminate(end) {
    if (!end) return text.length;
    if (TERMINATORS.has(end.name)) {
      expect(end.start, end.end, [MSG, TOKEN[end.name]]);
      return end.end;
    }
    return end.start;
  }

  /** Calls fn(a, b) for each run of text between special tokens and line breaks in [from, to). */
  function forEachTextRun(from, to, fn, onSpecial) {
    let a = from;
    for (const t of toks) {
      if (t.start < from || t.start >= to) continue;
      splitLines(a, t.start, fn);
      if (onSpecial) onSpecial(t);
      a = t.end;
    }
    splitLines(a, to, fn);
  }
  function splitLines(a, b, fn) {
    let i = a;
    while (i < b) {
      const nl = text.indexOf('\n', i);
      const e = nl === -1 || nl >= b ? b : nl;
      if (e > i) fn(i, e);
      i = e + 1;
    }
  }

  function headlessPrefixEnd(from, explicit) {
    const rest = text.slice(from);
    const m = /^(?:(?!to=)[^\s<:]+)?(?::[^\s<]+)?(?:\s*to=[^\s<]+)?(?:<\|channel\|>[^\s<]*)?(?:\s*to=[^\s<]+)?/.exec(rest);
    return explicit || rest.startsWith('<|channel|>') ? from + m[0].length : from;
  }

  /** Header parts of text[from, to); returns {role, author, recipient, channel, contentTypes}. */
  function header(from, to, explicit, complete) {
    const h = text.slice(from, to);
    const info = { role: undefined, toolAuthor: false, recipient: undefined, channel: undefined, contentTypes: [] };
    const at = (j, len, scopes) => expect(from + j, from + j + len, [MSG, HDR, ...scopes]);
    let j = 0;
    if (explicit && h.length && !/^\s/.test(h) && !h.startsWith('<|') && !h.startsWith('to=')) {
      const word = /^[^\s<:]+/.exec(h)[0];
      if (ROLES.includes(word)) {
        info.role = word;
        at(0, word.length, [s(`entity.name.tag.role.${word}`)]);
      } else {
        info.toolAuthor = true;
        nameParts(0, word, s('meta.author.tool'), s('entity.name.function.tool'));
      }
      j = word.length;
    }
    while (j < h.length) {
      const rest = h.slice(j);
      const before = j === 0 ? text[from - 1] : h[j - 1];
      let m;
      if (/^\s/.test(rest)) {
        j += 1;
      } else if ((m = /^:([^\s<]+)/.exec(rest))) {
        at(j, 1, [s('punctuation.separator.author-name')]);
        at(j + 1, m[1].length, [s('variable.other.author-name')]);
        j += m[0].length;
      } else if ((m = /^to=([^\s<]+)/.exec(rest)) && /[\s>]/.test(before ?? ' ')) {
        const value = m[1];
        info.recipient = value;
        at(j, 2, [s('meta.recipient'), s('keyword.other.to')]);
        at(j + 2, 1, [s('meta.recipient'), s('keyword.operator.assignment')]);
        if ([...ROLES, 'all'].includes(value)) at(j + 3, value.length, [s('meta.recipient'), s(`entity.name.tag.role.${value}`)]);
        else nameParts(j + 3, value, s('meta.recipient'), s('entity.name.function.recipient'));
        j += m[0].length;
      } else if (rest.startsWith('<|channel|>')) {
        at(j, 11, [TOKEN.channel]);
        const name = /^[^\s<]*/.exec(rest.slice(11))[0];
        if (info.channel === undefined) info.channel = name;
        const kind = ['analysis', 'commentary', 'final'].includes(name) ? name : 'custom';
        at(j + 11, name.length, [s(`constant.language.channel.${kind}`)]);
        j += 11 + name.length;
      } else if (rest.startsWith('<|constrain|>')) {
        at(j, 13, [TOKEN.constrain]);
        const type = /^[^\s<]*/.exec(rest.slice(13))[0];
        if (type) info.contentTypes.push(type);
        at(j + 13, type.length, [s('storage.type.content-type')]);
        j += 13 + type.length;
      } else if ((m = /^<\|reserved_\d+\|>/.exec(rest))) {
        at(j, m[0].length, [RESERVED]);
        j += m[0].length;
      } else if (complete && /\s/.test(before ?? '') && (m = /^[^\s<]+/.exec(rest))) {
        info.contentTypes.push(m[0]);
        at(j, m[0].length, [s('storage.type.content-type')]);
        j += m[0].length;
      } else {
        j += 1;
      }
    }
    return info;

    function nameParts(j0, value, wrapper, leaf) {
      const dot = value.indexOf('.');
      if (dot > 0) {
        at(j0, dot, [wrapper, s('entity.name.namespace')]);
        at(j0 + dot, 1, [wrapper, s('punctuation.accessor')]);
        at(j0 + dot + 1, value.length - dot - 1, [wrapper, leaf]);
      } else {
        at(j0, value.length, [wrapper, leaf]);
      }
    }
  }

  /** The body from just after <|message|>; returns where reading goes on. */
  function body(from, head) {
    const end = nextAt(from, new Set([...TERMINATORS, ...BREAKS]));
    const to = end ? end.start : text.length;
    const content = text.slice(from, to);
    const isToolCallOrResult = head.toolAuthor || (head.recipient && ![...ROLES, 'all'].includes(head.recipient));
    let kind = 'text';
    if (head.contentTypes.some((t) => /json/i.test(t))) kind = 'json';
    else if (head.role === 'system' || head.role === 'developer') kind = 'tools';
    else if (isToolCallOrResult && /^\s*[{[]/.test(content)) kind = 'json';

    if (kind === 'json') {
      const scopes = [MSG, ...jsonBodyScopes(head.channel)];
      forEachTextRun(from, to, (a, b) => expect(a, b, scopes));
      jsonStructure(from, to, scopes);
    } else if (kind === 'tools') {
      tools(from, to, [MSG, s(`meta.content.${head.role}`)]);
    } else {
      const scopes = [MSG, ...textBodyScopes(head.channel)];
      forEachTextRun(
        from,
        to,
        (a, b) => expect(a, b, scopes),
        (t) => {
          if (t.name.startsWith('reserved_')) expect(t.start, t.end, [...scopes, RESERVED]);
          else expect(t.start, t.end, [...scopes, TOKEN[t.name], STRAY]);
        },
      );
    }
    return terminate(end);
  }

  /** Opening braces and object keys of a JSON body. */
  function jsonStructure(from, to, scopes) {
    const stack = [];
    for (let i = from; i < to; i++) {
      const c = text[i];
      if (c === '{' || c === '[') {
        stack.push(c);
        if (c === '{') expect(i, i + 1, [...scopes, 'punctuation.definition.dictionary.begin.json']);
      } else if (c === '}' || c === ']') {
        stack.pop();
      } else if (c === '"') {
        let k = i + 1;
        while (k < to && text[k] !== '"' && text[k] !== '\n') k += text[k] === '\\' ? 2 : 1;
        const isKey = stack.at(-1) === '{' && /^\s*:/.test(text.slice(k + 1, to));
        if (isKey) expect(i, k + 1, [...scopes, 'support.type.property-name.json']);
        i = k;
      }
    }
  }

  /** System/developer content: headings, comment lines, namespaces as TypeScript. */
  function tools(from, to, scopes) {
    forEachTextRun(from, to, (a, b) => expect(a, b, scopes));
    const lines = [];
    for (let a = from; a <= to; ) {
      const nl = text.indexOf('\n', a);
      const b = nl === -1 || nl > to ? to : nl;
      lines.push([a, b]);
      a = b + 1;
    }
    const TS = s('meta.embedded.block.typescript');
    let inTs = false;
    for (const [a, b] of lines) {
      const line = text.slice(a, b);
      const atLineStart = a === from ? false : true;
      const hasSpecial = /<\|[a-z0-9_]+\|>/.test(text.slice(a, text.indexOf('\n', a) === -1 ? text.length : text.indexOf('\n', a)));
      if (inTs && (hasSpecial || /^\}\s*\/\/\s*namespace\b/.test(line))) inTs = false;
      if (!inTs && atLineStart && /^namespace\s+[A-Za-z_$][\w$.]*\s*\{\s*$/.test(line)) inTs = true;
      if (inTs) {
        expect(a, b, [...scopes, TS]);
        continue;
      }
      let m;
      if (atLineStart && (m = /^(\})(\s*\/\/\s*namespace\b.*)$/.exec(line))) {
        expect(a, a + 1, [...scopes, TS, 'punctuation.definition.block.ts']);
        expect(a + 1 + m[2].indexOf('//'), b, [...scopes, TS, 'comment.line.double-slash.ts']);
      } else if ((atLineStart || a === from) && (m = /^(#{1,6})(\s+)(.*)$/.exec(line))) {
        expect(a, a + m[1].length, [...scopes, s('markup.heading'), s('punctuation.definition.heading')]);
        expect(a + m[1].length + m[2].length, b, [...scopes, s('markup.heading'), s('entity.name.section')]);
      } else if (atLineStart && line.startsWith('//')) {
        expect(a, b, [...scopes, s('comment.line.double-slash')]);
      }
    }
  }
}

/** The test file: header, then each source line followed by its assertion lines. */
export function testFile(text, description) {
  const exps = expectations(text);
  const lines = text.split('\n');
  const lineStarts = [];
  let offset = 0;
  for (const line of lines) {
    lineStarts.push(offset);
    offset += line.length + 1;
  }
  const perLine = lines.map(() => []);
  for (const e of exps) {
    // Split a range over the lines it covers (ranges never include the newline).
    for (let n = 0; n < lines.length; n++) {
      const a = Math.max(e.start, lineStarts[n]);
      const b = Math.min(e.end, lineStarts[n] + lines[n].length);
      if (b > a) perLine[n].push({ from: a - lineStarts[n], to: b - lineStarts[n], scopes: e.scopes.join(' ') });
    }
  }
  const out = [`${COMMENT} SYNTAX TEST "source.${L}" "${description}"`];
  lines.forEach((line, n) => {
    if (line.startsWith(COMMENT)) throw new Error(`line ${n + 1} starts with the assertion marker ${COMMENT}`);
    out.push(line);
    const spans = perLine[n].sort((x, y) => x.from - y.from);
    // Columns 0 and 1 are under the marker: those ranges use the <~~--- form.
    for (const sp of spans.filter((x) => x.from < COMMENT.length)) {
      out.push(`${COMMENT} <${'~'.repeat(sp.from)}${'-'.repeat(sp.to - sp.from)} ${sp.scopes}`);
    }
    // The rest: one caret line per scope list, non-overlapping ranges side by side.
    const groups = new Map();
    for (const sp of spans.filter((x) => x.from >= COMMENT.length)) {
      if (!groups.has(sp.scopes)) groups.set(sp.scopes, []);
      groups.get(sp.scopes).push(sp);
    }
    for (const [scopes, group] of groups) {
      let caretLine = COMMENT;
      for (const sp of group) {
        if (sp.from < caretLine.length) {
          out.push(`${caretLine} ${scopes}`);
          caretLine = COMMENT;
        }
        caretLine += ' '.repeat(sp.from - caretLine.length) + '^'.repeat(sp.to - sp.from);
      }
      out.push(`${caretLine} ${scopes}`);
    }
  });
  return `${out.join('\n')}\n`;
}

function isTokenIdList(text) {
  return /^[\s\d]+$/.test(text);
}

function main() {
  const check = process.argv.includes('--check');
  if (!existsSync(TEST_DATA)) {
    console.error(`generate-golden-tests: ${TEST_DATA} not found`);
    process.exit(1);
  }
  const wanted = new Map();
  const skipped = [];
  for (const file of readdirSync(TEST_DATA).filter((f) => f.endsWith('.txt')).sort()) {
    const text = readFileSync(join(TEST_DATA, file), 'utf8').replace(/\r\n/g, '\n');
    const name = file.replace(/\.txt$/, '');
    if (isTokenIdList(text)) {
      skipped.push(name);
      continue;
    }
    wanted.set(`${name}.test.harmony`, testFile(text, `golden ${file} (openai/harmony test-data)`));
  }
  if (check) {
    const stale = [];
    for (const [file, content] of wanted) {
      const path = join(OUT_DIR, file);
      if (!existsSync(path) || readFileSync(path, 'utf8') !== content) stale.push(file);
    }
    const extra = existsSync(OUT_DIR) ? readdirSync(OUT_DIR).filter((f) => !wanted.has(f)) : [];
    if (stale.length || extra.length) {
      console.error(`golden grammar tests are stale (${[...stale, ...extra].join(', ')}): run node test/grammar/generate-golden-tests.mjs`);
      process.exit(1);
    }
    console.log(`golden grammar tests up to date: ${wanted.size} files; skipped token-id goldens: ${skipped.join(', ')}`);
    return;
  }
  rmSync(OUT_DIR, { recursive: true, force: true });
  mkdirSync(OUT_DIR, { recursive: true });
  for (const [file, content] of wanted) writeFileSync(join(OUT_DIR, file), content);
  console.log(`wrote ${wanted.size} files to test/grammar/goldens; skipped token-id goldens: ${skipped.join(', ')}`);
}

if (import.meta.url === `file://${process.argv[1]}`) main();
