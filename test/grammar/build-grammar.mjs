// Builds syntaxes/harmony.tmLanguage.json, the TextMate grammar of Harmony transcripts.
// The JSON is generated because a TextMate grammar cannot keep state: the body of a
// message is highlighted by the rule that was chosen, by look-ahead, when `<|start|>`
// was matched, so there is one message rule per kind of header (channel × JSON ×
// role), and their regexes share pieces that are easier to keep right here.
//
//   node test/grammar/build-grammar.mjs           rewrite the JSON
//   node test/grammar/build-grammar.mjs --check   exit 1 when the committed JSON is stale
//
// Design rules (test/grammar/*.test.harmony hold the assertions):
// * Every special token has its own scope; a stop token (`<|end|>`, `<|call|>`,
//   `<|return|>`) ends the message, and `<|start|>`, `<|startoftext|>`, `<|endoftext|>`
//   end whatever is open before them, so a malformed message never leaks into the next.
// * A header must sit on one line (real headers never contain a newline).
// * No rule that can span text (embedded grammars included) can outlive a stop token:
//   JSON is handed to source.json only when a look-ahead has proved that its strings
//   and brackets close before the stop token on the same line; otherwise our own
//   stop-aware JSON rules take it. The TypeScript of a tools namespace is a
//   begin/while region that ends at the first line holding a special token.
import { readFileSync, writeFileSync } from 'node:fs';

const LANG = 'gpt-oss-harmony';
const OUT = new URL('../../syntaxes/harmony.tmLanguage.json', import.meta.url);

/** `a.b` → `a.b.gpt-oss-harmony`; several names → a space-separated scope list. */
const sc = (...names) => names.map((n) => `${n}.${LANG}`).join(' ');

// ---------------------------------------------------------------- regex pieces
const STRUCTURAL = 'start|end|call|return|message|startoftext|endoftext';
const SPECIAL = String.raw`<\|(?:${STRUCTURAL}|channel|constrain|reserved_\d+)\|>`;
const TERM = String.raw`<\|(?:end|call|return)\|>`;
const BREAK = String.raw`<\|(?:start|startoftext|endoftext)\|>`;
/** Where any message body ends. */
const STOP = `(?:${TERM}|${BREAK})`;
/** One character of text that does not begin a special token. */
const TEXT = String.raw`(?:[^<\n]|<(?!\|(?:${STRUCTURAL}|channel|constrain|reserved_\d+)\|>))`;
/** One header character: anything on the line but the tokens that end a header. */
const HC = String.raw`(?:[^<\n]|<(?!\|(?:${STRUCTURAL})\|>))`;
/** A header character that does not begin `<|channel|>` (so the first channel decides). */
const HCN = String.raw`(?:(?!<\|channel\|>)${HC})`;
/** A word ends before whitespace, `<` or the end of the line. */
const WORD_END = String.raw`(?![^\s<])`;
const ROLES = ['system', 'developer', 'user', 'assistant'];
const CHANNELS = ['analysis', 'commentary', 'final'];

/**
 * Text that is safe to hand to source.json: strings closed, `{}`/`[]` balanced, no `//`
 * comment (source.json's line comment would eat the stop token), no special token.
 * Possessive and atomic, so it is linear and fails fast. The named group makes
 * Oniguruma's subexpression call possible; use capture 0 in rules that contain it.
 */
const NOT_SPECIAL_LT = String.raw`<(?!\|[a-z0-9_]+\|>)`;
const BALANCED_JSON = String.raw`(?<json>(?:[^{}\[\]"/<\n]++|/(?![/*])|/\*(?:[^*\n]|\*(?!/))*+\*/|${NOT_SPECIAL_LT}|"(?:[^"\\\n<]++|\\.|${NOT_SPECIAL_LT})*+"|\{\g<json>\}|\[\g<json>\])*+)`;

// ---------------------------------------------------------------- token scopes
const TOKEN_SCOPE = {
  start: 'keyword.control.start',
  end: 'keyword.control.end',
  call: 'keyword.control.call',
  return: 'keyword.control.return',
  channel: 'keyword.other.channel',
  message: 'keyword.other.message',
  constrain: 'keyword.other.constrain',
  startoftext: 'keyword.control.startoftext',
  endoftext: 'keyword.control.endoftext',
};
const tok = (name) => String.raw`<\|${name}\|>`;
const RESERVED = String.raw`<\|reserved_\d+\|>`;

// ---------------------------------------------------------------- message kinds
/** Body scope per channel (`none` = header without `<|channel|>`). */
const CHANNEL_CLASSES = [...CHANNELS, 'custom', 'none'];
/** The first scope of a body: per channel, so themes can style each one. */
const contentBase = (channel) => {
  if (CHANNELS.includes(channel)) return `meta.content.${channel}`;
  return channel === 'custom' ? 'meta.content.custom-channel' : 'meta.content';
};
const contentScope = (channel) => {
  // Reasoning is dimmed like a comment in every theme; the preamble is set in italics.
  if (channel === 'analysis') return sc(contentBase(channel), 'comment.block.analysis');
  if (channel === 'commentary') return sc(contentBase(channel), 'markup.italic.commentary');
  return sc(contentBase(channel));
};
const jsonContentScope = (channel) => sc(contentBase(channel), 'meta.embedded.block.json');

/** Look-ahead (from just after `<|start|>`, or at an implicit `<|channel|>`) for the first channel. */
const channelIs = (channel) => {
  if (CHANNELS.includes(channel)) return `(?=${HCN}*+${tok('channel')}${channel}${WORD_END}${HC}*+${tok('message')})`;
  if (channel === 'custom') {
    return `(?=${HCN}*+${tok('channel')}(?!(?:${CHANNELS.join('|')})${WORD_END})${HC}*+${tok('message')})`;
  }
  return `(?=${HCN}*+${tok('message')})`;
};
/** A content type (a word after whitespace or `<|constrain|>`, not `to=…`) containing "json". */
const HAS_JSON_TYPE = String.raw`(?=${HC}*?(?:\s|${tok('constrain')})(?!to=)[^\s<]*(?i:json)${HC}*+${tok('message')})`;
const HAS_MESSAGE = `(?=${HC}*+${tok('message')})`;
const NO_MESSAGE = `(?!${HC}*+${tok('message')})`;
const ROLE_IS = (role) => `(?=${role}(?![^\\s:<])${HC}*+${tok('message')})`;
/** The author is a tool (functions.x, browser.search), or the recipient is one (a tool call). */
const TOOL_AUTHOR = `(?=(?!(?:${ROLES.join('|')})(?![^\\s:<]))(?!to=)[^\\s<:]${HC}*+${tok('message')})`;
const TOOL_RECIPIENT = `(?=(?:${HC}*?[\\s>])?to=(?!(?:${ROLES.join('|')}|all)${WORD_END})[^\\s<]${HC}*+${tok('message')})`;
const TOOL_INVOLVED = `(?:${TOOL_AUTHOR}|${TOOL_RECIPIENT})`;

const MESSAGE_END = {
  end: `(${tok('end')})|(${tok('call')})|(${tok('return')})|(?=${BREAK})`,
  endCaptures: {
    1: { name: sc(TOKEN_SCOPE.end) },
    2: { name: sc(TOKEN_SCOPE.call) },
    3: { name: sc(TOKEN_SCOPE.return) },
  },
};

/**
 * The header is a nested begin/end rule, not a capture with patterns: vscode-textmate
 * re-tokenises such a capture on a fresh copy of the line up to the capture, which
 * costs O(column) per message and made 1 MB one-line transcripts take minutes.
 * It begins right after <|start|>, or at the <|channel|> of an implicit message.
 */
const HEADER_BEGIN = String.raw`(?<=${tok('start')})(?=${HC})|(?=${tok('channel')})`;
const HEADER_END = String.raw`(?=<\|(?:${STRUCTURAL})\|>)|$`;

function messageBegin(implicit, lookahead) {
  return implicit
    ? { begin: `(?=${tok('channel')})${lookahead}` }
    : { begin: `(${tok('start')})${lookahead}`, beginCaptures: { 1: { name: sc(TOKEN_SCOPE.start) } } };
}

function message({ implicit, lookahead, bodies, comment }) {
  return {
    comment,
    ...messageBegin(implicit, lookahead),
    ...MESSAGE_END,
    name: sc('meta.message'),
    patterns: [{ include: '#header' }, ...bodies.map((b) => ({ include: `#${b}` })), { include: '#content-tokens' }],
  };
}

function messageRules(implicit) {
  const rules = [];
  rules.push({
    comment: 'No <|message|> before the stop token: the known header prefix, then the rest is flagged.',
    ...messageBegin(implicit, NO_MESSAGE),
    ...MESSAGE_END,
    // A later <|channel|> starts an implicit message: a prompt ending in <|start|>assistant
    // followed, on the next line, by the completion <|channel|>final<|message|>….
    // (Not for an implicit message, which begins at its own <|channel|>.)
    ...(implicit ? {} : { end: `${MESSAGE_END.end}|(?<!${tok('start')})(?=${tok('channel')})` }),
    name: sc('meta.message'),
    patterns: [{ include: '#headless-header' }, { include: '#headless-rest' }, { include: '#content-tokens' }],
  });
  for (const channel of CHANNEL_CLASSES) {
    if (implicit && channel === 'none') continue;
    rules.push(
      message({
        implicit,
        comment: `Content type contains json, channel ${channel}.`,
        lookahead: `${HAS_JSON_TYPE}${channelIs(channel)}`,
        bodies: [`body-json-safe-${channel}`, `body-json-lite-${channel}`],
      }),
    );
  }
  if (!implicit) {
    for (const role of ['system', 'developer']) {
      rules.push(
        message({
          implicit,
          comment: `${role} message: instructions, # Tools, namespaces as TypeScript.`,
          lookahead: ROLE_IS(role),
          bodies: [`body-${role}`],
        }),
      );
    }
  }
  for (const channel of CHANNEL_CLASSES) {
    if (implicit && channel === 'none') continue;
    rules.push(
      message({
        implicit,
        comment: `Tool call or tool result (functions.x, browser.search, …), channel ${channel}: JSON when the body is an object or array.`,
        lookahead: `${implicit ? TOOL_RECIPIENT : TOOL_INVOLVED}${channelIs(channel)}`,
        bodies: [`body-json-sniff-${channel}`, `body-json-sniff-lite-${channel}`, `body-text-${channel}`],
      }),
    );
  }
  for (const channel of CHANNEL_CLASSES) {
    if (implicit && channel === 'none') continue;
    rules.push(
      message({
        implicit,
        comment: `Plain message, channel ${channel}.`,
        lookahead: channelIs(channel),
        bodies: [`body-text-${channel}`],
      }),
    );
  }
  if (!implicit) {
    rules.push(
      message({ implicit, comment: 'Catch-all (not reached when the look-aheads above are complete).', lookahead: HAS_MESSAGE, bodies: ['body-text-none'] }),
    );
  }
  return rules;
}

// ---------------------------------------------------------------- repository
const repository = {};

repository.header = {
  comment: 'Everything between <|start|> (or an implicit <|channel|>) and <|message|>, on one line.',
  begin: HEADER_BEGIN,
  end: HEADER_END,
  name: sc('meta.header'),
  patterns: [{ include: '#header-parts' }],
};

repository['headless-header'] = {
  comment: 'No <|message|>: author, name, recipient and channel; the header stops at the first other word.',
  begin: String.raw`(?<=${tok('start')})(?=(?!to=)[^\s<:]|:[^\s<]|\s*to=[^\s<]|${tok('channel')})|(?=${tok('channel')})`,
  end: String.raw`(?=\s(?!\s*to=)|<\|(?:${STRUCTURAL}|constrain)\|>)|$`,
  name: sc('meta.header'),
  patterns: [{ include: '#header-parts' }],
};

repository['header-parts'] = {
  patterns: [
    ...ROLES.map((role) => ({
      match: String.raw`(?<=${tok('start')})${role}(?![^\s:<])`,
      name: sc(`entity.name.tag.role.${role}`),
    })),
    {
      comment: 'A tool as author: functions.lookup_weather, browser.search, python.',
      match: String.raw`(?<=${tok('start')})(?!to=)(?:([^\s<:.]+)(\.))?([^\s<:]+)`,
      name: sc('meta.author.tool'),
      captures: {
        1: { name: sc('entity.name.namespace') },
        2: { name: sc('punctuation.accessor') },
        3: { name: sc('entity.name.function.tool') },
      },
    },
    {
      match: String.raw`(:)([^\s<]+)`,
      captures: { 1: { name: sc('punctuation.separator.author-name') }, 2: { name: sc('variable.other.author-name') } },
    },
    ...[...ROLES, 'all'].map((role) => ({
      match: String.raw`(?<![^\s>])(to)(=)(${role})${WORD_END}`,
      name: sc('meta.recipient'),
      captures: {
        1: { name: sc('keyword.other.to') },
        2: { name: sc('keyword.operator.assignment') },
        3: { name: sc(`entity.name.tag.role.${role}`) },
      },
    })),
    {
      match: String.raw`(?<![^\s>])(to)(=)(?:([^\s<.]+)(\.))?([^\s<]+)`,
      name: sc('meta.recipient'),
      captures: {
        1: { name: sc('keyword.other.to') },
        2: { name: sc('keyword.operator.assignment') },
        3: { name: sc('entity.name.namespace') },
        4: { name: sc('punctuation.accessor') },
        5: { name: sc('entity.name.function.recipient') },
      },
    },
    {
      match: `(${tok('channel')})(?:${CHANNELS.map((c) => `(${c})${WORD_END}`).join('|')}|([^\\s<]+))?`,
      captures: {
        1: { name: sc(TOKEN_SCOPE.channel) },
        ...Object.fromEntries(CHANNELS.map((c, i) => [i + 2, { name: sc(`constant.language.channel.${c}`) }])),
        [CHANNELS.length + 2]: { name: sc('constant.language.channel.custom') },
      },
    },
    {
      match: String.raw`(${tok('constrain')})([^\s<]*)`,
      captures: { 1: { name: sc(TOKEN_SCOPE.constrain) }, 2: { name: sc('storage.type.content-type') } },
    },
    {
      comment: 'Any other word after whitespace is a content type (json, code, …).',
      match: String.raw`(?<=\s)(?!to=)[^\s<]+`,
      name: sc('storage.type.content-type'),
    },
    { match: RESERVED, name: sc('keyword.other.reserved') },
  ],
};

repository['headless-rest'] = {
  comment: 'What follows a header that never reached <|message|> (harmony treats it as content).',
  match: `${TEXT}+`,
  name: sc('invalid.illegal.missing-message'),
};

repository['content-tokens'] = {
  comment: 'Special tokens inside a body are content to the parser; the structural ones are flagged as stray.',
  patterns: [
    ...['channel', 'message', 'constrain'].map((name) => ({
      match: tok(name),
      name: `${sc(TOKEN_SCOPE[name])} ${sc('invalid.illegal.stray')}`,
    })),
    { match: RESERVED, name: sc('keyword.other.reserved') },
  ],
};

repository['top-level-tokens'] = {
  patterns: [
    { match: tok('startoftext'), name: sc(TOKEN_SCOPE.startoftext) },
    { match: tok('endoftext'), name: sc(TOKEN_SCOPE.endoftext) },
    ...['end', 'call', 'return', 'message', 'constrain'].map((name) => ({
      comment: `A ${name} token outside any message.`,
      match: tok(name),
      name: `${sc(TOKEN_SCOPE[name])} ${sc('invalid.illegal.stray')}`,
    })),
    { match: RESERVED, name: sc('keyword.other.reserved') },
  ],
};

const MESSAGE_TOKEN = { 0: { name: sc(TOKEN_SCOPE.message) } };
for (const channel of CHANNEL_CLASSES) {
  repository[`body-text-${channel}`] = {
    begin: tok('message'),
    beginCaptures: MESSAGE_TOKEN,
    end: `(?=${STOP})`,
    contentName: contentScope(channel),
    patterns: [{ include: '#content-tokens' }],
  };
  repository[`body-json-safe-${channel}`] = {
    comment: 'Balanced JSON that ends on this line: the real JSON grammar (dropped by vscode-textmate when source.json is absent).',
    begin: `${tok('message')}(?=${BALANCED_JSON}${STOP})`,
    beginCaptures: MESSAGE_TOKEN,
    end: `(?=${STOP})`,
    contentName: jsonContentScope(channel),
    patterns: [{ include: 'source.json' }],
  };
  repository[`body-json-lite-${channel}`] = {
    comment: 'Multi-line, malformed or unterminated JSON: our own rules, all of which stop at a stop token.',
    begin: tok('message'),
    beginCaptures: MESSAGE_TOKEN,
    end: `(?=${STOP})`,
    contentName: jsonContentScope(channel),
    patterns: [{ include: '#json-lite' }],
  };
  repository[`body-json-sniff-${channel}`] = {
    comment: 'A tool result whose body is one balanced JSON object or array on this line.',
    begin: `${tok('message')}(?=(?=\\s*+[{\\[])${BALANCED_JSON}${STOP})`,
    beginCaptures: MESSAGE_TOKEN,
    end: `(?=${STOP})`,
    contentName: jsonContentScope(channel),
    patterns: [{ include: 'source.json' }],
  };
  repository[`body-json-sniff-lite-${channel}`] = {
    comment: 'A tool call or result whose body starts as a JSON object or array but is not closed on this line.',
    begin: `${tok('message')}(?=\\s*+[{\\[])`,
    beginCaptures: MESSAGE_TOKEN,
    end: `(?=${STOP})`,
    contentName: jsonContentScope(channel),
    patterns: [{ include: '#json-lite' }],
  };
}

for (const role of ['system', 'developer']) {
  repository[`body-${role}`] = {
    begin: tok('message'),
    beginCaptures: MESSAGE_TOKEN,
    end: `(?=${STOP})`,
    contentName: sc(`meta.content.${role}`),
    patterns: [{ include: '#tools-content' }, { include: '#content-tokens' }],
  };
}

repository['tools-content'] = {
  patterns: [
    {
      comment: 'namespace functions { … }: TypeScript until the closing line or the first line with a special token.',
      begin: String.raw`^(?=namespace\s+[A-Za-z_$][\w$.]*\s*\{\s*$)`,
      while: String.raw`^(?!\}\s*//\s*namespace\b)(?!.*${SPECIAL})`,
      name: sc('meta.embedded.block.typescript'),
      patterns: [{ include: 'source.ts' }, { include: '#typescript-fallback' }],
    },
    {
      comment: 'The closing line of a namespace, kept in the TypeScript region.',
      match: String.raw`^(\})(?=\s*//\s*namespace\b)(\s*)((//)${TEXT}*)`,
      name: sc('meta.embedded.block.typescript'),
      captures: {
        1: { name: 'punctuation.definition.block.ts' },
        3: { name: 'comment.line.double-slash.ts' },
        4: { name: 'punctuation.definition.comment.ts' },
      },
    },
    {
      match: String.raw`(?:^|(?<=${tok('message')}))(#{1,6})(\s+)(${TEXT}*)`,
      name: sc('markup.heading'),
      captures: { 1: { name: sc('punctuation.definition.heading') }, 3: { name: sc('entity.name.section') } },
    },
    {
      match: String.raw`^(Reasoning)(:)\s*(low|medium|high)?${WORD_END}`,
      captures: {
        1: { name: sc('support.type.property-name') },
        2: { name: sc('punctuation.separator.key-value') },
        3: { name: sc('constant.language.reasoning-effort') },
      },
    },
    {
      match: String.raw`^(Knowledge cutoff|Current date)(:)\s*(${TEXT}*)`,
      captures: {
        1: { name: sc('support.type.property-name') },
        2: { name: sc('punctuation.separator.key-value') },
        3: { name: sc('string.unquoted.date') },
      },
    },
    {
      match: String.raw`^(//)${TEXT}*`,
      name: sc('comment.line.double-slash'),
      captures: { 1: { name: sc('punctuation.definition.comment') } },
    },
  ],
};

repository['typescript-fallback'] = {
  comment: 'Used only where source.ts is absent (it is listed after source.ts, which wins every tie).',
  patterns: [{ match: '(//).*$', name: 'comment.line.double-slash.ts', captures: { 1: { name: 'punctuation.definition.comment.ts' } } }],
};

// Our own JSON, with the scope names of VS Code's JSON grammar, so themes colour it alike.
const JL_END = `(?=${STOP})`;
repository['json-lite'] = {
  patterns: [
    { include: '#json-lite-object' },
    { include: '#json-lite-array' },
    { include: '#json-lite-string' },
    { match: String.raw`-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?`, name: 'constant.numeric.json' },
    { match: String.raw`\b(?:true|false|null)\b`, name: 'constant.language.json' },
    { include: '#content-tokens' },
  ],
};
repository['json-lite-object'] = {
  begin: String.raw`\{`,
  beginCaptures: { 0: { name: 'punctuation.definition.dictionary.begin.json' } },
  end: String.raw`\}|${JL_END}`,
  endCaptures: { 0: { name: 'punctuation.definition.dictionary.end.json' } },
  name: 'meta.structure.dictionary.json',
  patterns: [
    {
      begin: String.raw`"(?=(?:[^"\\\n]|\\.)*"\s*:)`,
      beginCaptures: { 0: { name: 'punctuation.support.type.property-name.begin.json' } },
      end: String.raw`"|${JL_END}|$`,
      endCaptures: { 0: { name: 'punctuation.support.type.property-name.end.json' } },
      name: 'string.json support.type.property-name.json',
      patterns: [{ include: '#json-lite-escape' }],
    },
    { match: ':', name: 'punctuation.separator.dictionary.key-value.json' },
    { match: ',', name: 'punctuation.separator.dictionary.pair.json' },
    { include: '#json-lite' },
  ],
};
repository['json-lite-array'] = {
  begin: String.raw`\[`,
  beginCaptures: { 0: { name: 'punctuation.definition.array.begin.json' } },
  end: String.raw`\]|${JL_END}`,
  endCaptures: { 0: { name: 'punctuation.definition.array.end.json' } },
  name: 'meta.structure.array.json',
  patterns: [{ match: ',', name: 'punctuation.separator.array.json' }, { include: '#json-lite' }],
};
repository['json-lite-string'] = {
  begin: '"',
  beginCaptures: { 0: { name: 'punctuation.definition.string.begin.json' } },
  end: String.raw`"|${JL_END}|$`,
  endCaptures: { 0: { name: 'punctuation.definition.string.end.json' } },
  name: 'string.quoted.double.json',
  patterns: [{ include: '#json-lite-escape' }],
};
repository['json-lite-escape'] = {
  patterns: [
    { match: String.raw`\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})`, name: 'constant.character.escape.json' },
    { match: String.raw`\\.`, name: 'invalid.illegal.unrecognized-string-escape.json' },
    { include: '#content-tokens' },
  ],
};

const grammar = {
  $schema: 'https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json',
  comment: 'Generated by test/grammar/build-grammar.mjs; edit that file and run it, not this one.',
  name: 'Harmony (gpt-oss)',
  scopeName: `source.${LANG}`,
  fileTypes: ['harmony'],
  patterns: [...messageRules(false), ...messageRules(true), { include: '#top-level-tokens' }],
  repository,
};

const text = `${JSON.stringify(grammar, null, 2)}\n`;
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(OUT, 'utf8');
  } catch {
    // missing counts as stale
  }
  if (current !== text) {
    console.error('syntaxes/harmony.tmLanguage.json is stale: run node test/grammar/build-grammar.mjs');
    process.exit(1);
  }
  console.log('syntaxes/harmony.tmLanguage.json is up to date');
} else {
  writeFileSync(OUT, text);
  console.log(`wrote syntaxes/harmony.tmLanguage.json (${text.length} bytes)`);
}
