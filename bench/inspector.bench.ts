// The token inspector's extension-side work for the 8,360-token, 36-tool agent prompt: what
// stands before the first paint (read the transcript, post count and messages) against the raw
// encode of the same text and against sending everything in one message (chips included), as
// the inspector did before chips were streamed. Medians, interleaved. The end-to-end time from
// command to first paint in the real editor is printed by test/extension/inspector.test.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeWithMarkup, readTranscript } from '../src/harmony';
import { CHIP_BATCH, chipTotal, chipsMessage, summaryMessage as summaryOf } from '../src/vscode/inspector/inspectorMessages';
import { interleaved, ms } from './stats';

const text = readFileSync(join(__dirname, '..', 'test', 'fixtures', 'workspace', 'agent-prompt.harmony'), 'utf8');
encodeWithMarkup(text); // loads the tables outside the timings

/** What the inspector posts before the first paint (postMessage serialises it: JSON stands in). */
function summaryMessage(): string {
  return JSON.stringify(summaryOf(readTranscript(text), 'agent-prompt.harmony'));
}

/** As the inspector did before: the reading with every message's own tokens and every chip, in one message. */
function everythingAtOnce(): string {
  const reading = readTranscript(text);
  const chips = [];
  for (let start = 0; start < chipTotal(reading); start += CHIP_BATCH) chips.push(chipsMessage(reading, start));
  return JSON.stringify({ type: 'update', count: reading.ids.length, messages: reading.messages, unparsed: reading.unparsed, chips });
}

const reading = readTranscript(text);
console.log(`\n## Inspector, agent prompt: ${(text.length / 1024).toFixed(1)} KB, ${reading.ids.length} tokens, ${reading.messages.length} messages`);
console.log(`message sizes: summary ${(summaryMessage().length / 1024).toFixed(0)} KB, everything at once ${(everythingAtOnce().length / 1024).toFixed(0)} KB`);
const times = interleaved(
  {
    'baseline: encode with markup': () => encodeWithMarkup(text),
    'before first paint: read + summary message': summaryMessage,
    'all at once: read + every chip + one message': everythingAtOnce,
  },
  31,
);
for (const [name, value] of Object.entries(times)) console.log(`${name}: ${ms(value)}`);
const base = times['baseline: encode with markup']!;
const first = times['before first paint: read + summary message']!;
const all = times['all at once: read + every chip + one message']!;
console.log(`before first paint = ${(first / base).toFixed(2)}× the encode; everything at once was ${(all / base).toFixed(2)}× (${ms(all - first)} moved after the first paint)`);
