// Renderer and tokenizer cost, against the raw encode of the same text by both
// libraries in the same run (medians; interleaved so machine noise hits all alike).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { renderChatRequest } from '../src/harmony/chatRequest';
import { clearEncodeMemo, countOrdinary, decode, encodeOrdinary } from '../src/harmony/tokenizer';
import { referenceEncodeOrdinary } from '../test/support/jsTiktokenHarmony';
import { agentRequest } from './agentRequest';
import { interleaved, interleavedCpu, ms, time } from './stats';

const root = join(__dirname, '..');
const verdict = (ok: boolean): string => (ok ? 'meets target' : 'MISSES target');

function coldStart(): void {
  // A fresh process: importing the library must not load the ranks; the first count does.
  const script = `
    const t0 = performance.now();
    const tok = require('./src/harmony/tokenizer');
    require('./src/harmony/chatRequest');
    const imported = performance.now() - t0;
    const loadedAfterImport = tok.isLoaded();
    const t1 = performance.now();
    tok.countOrdinary('Hello from the first request after activation.');
    const firstCount = performance.now() - t1;
    const t2 = performance.now();
    require('./test/support/jsTiktokenHarmony').referenceEncodeOrdinary('Hello from the first request after activation.');
    const jsTiktokenFirst = performance.now() - t2;
    console.log(JSON.stringify({ imported, loadedAfterImport, firstCount, jsTiktokenFirst }));`;
  const runs = Array.from({ length: 5 }, () => {
    const out = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: root, encoding: 'utf8' });
    return JSON.parse(out.stdout.trim().split('\n').pop()!) as { imported: number; loadedAfterImport: boolean; firstCount: number; jsTiktokenFirst: number };
  });
  const med = (k: 'imported' | 'firstCount' | 'jsTiktokenFirst'): number => runs.map((r) => r[k]).sort((a, b) => a - b)[2]!;
  console.log('\n## Cold start (5 fresh processes, medians)');
  console.log(`import library: ${ms(med('imported'))}; ranks loaded by import: ${runs.some((r) => r.loadedAfterImport) ? 'YES' : 'no'}`);
  console.log(`first count (gpt-tokenizer, loads ranks): ${ms(med('firstCount'))} — target < 300 ms: ${verdict(med('firstCount') < 300)}`);
  console.log(`first encode with js-tiktoken (same process, after ours): ${ms(med('jsTiktokenFirst'))}`);
}

function agentPrompt(): void {
  const request = agentRequest();
  const rendered = renderChatRequest(request, { date: '2026-11-22' });
  const text = decode(rendered.ids);
  console.log(`\n## 36-tool agent request: ${(text.length / 1024).toFixed(1)} KB rendered, ${rendered.ids.length} tokens`);
  const times = interleaved(
    {
      'render (memo warm)': () => renderChatRequest(request, { date: '2026-11-22' }),
      'render (memo cold)': () => {
        clearEncodeMemo();
        renderChatRequest(request, { date: '2026-11-22' });
      },
      'raw encode, gpt-tokenizer': () => encodeOrdinary(text),
      'raw encode, js-tiktoken': () => referenceEncodeOrdinary(text),
      'count, gpt-tokenizer': () => countOrdinary(text),
    },
    41,
  );
  for (const [name, value] of Object.entries(times)) console.log(`${name}: ${ms(value)}`);
  const raw = times['raw encode, gpt-tokenizer']!;
  const overhead = times['render (memo cold)']! / raw - 1;
  console.log(`render overhead over the raw encode of the same text (memo cold): ${(overhead * 100).toFixed(1)} % — target < 20 %: ${verdict(overhead < 0.2)}`);
  console.log(`warm render: ${ms(times['render (memo warm)']!)} — target < 5 ms: ${verdict(times['render (memo warm)']! < 5)}`);
  console.log(`js-tiktoken / gpt-tokenizer on this text: ${(times['raw encode, js-tiktoken']! / raw).toFixed(1)}×`);
  // Wall time swings with other processes on a shared machine; this process's CPU time does not.
  const cpu = interleavedCpu(
    {
      'render (memo cold)': () => {
        clearEncodeMemo();
        renderChatRequest(request, { date: '2026-11-22' });
      },
      'render (memo warm)': () => renderChatRequest(request, { date: '2026-11-22' }),
      'raw encode, gpt-tokenizer': () => encodeOrdinary(text),
    },
    31,
    10,
  );
  const cpuOverhead = cpu['render (memo cold)']! / cpu['raw encode, gpt-tokenizer']! - 1;
  console.log(
    `CPU time (medians): cold ${ms(cpu['render (memo cold)']!)}, warm ${ms(cpu['render (memo warm)']!)}, raw encode ${ms(cpu['raw encode, gpt-tokenizer']!)}; cold overhead ${(cpuOverhead * 100).toFixed(1)} % — target < 20 %: ${verdict(cpuOverhead < 0.2)}`,
  );
}

function pathological(): void {
  const base64 = Buffer.from(Array.from({ length: 75_000 }, (_, i) => (i * 2654435761) % 251)).toString('base64');
  const minified = Array.from({ length: 2500 }, (_, i) => `function f${i}(a,b){return a*${i}+b/${i + 1}||null}`).join(';');
  const cjk = Array.from({ length: 9000 }, (_, i) => '日本語の文章と絵文字👩‍👩‍👧‍👦🇫🇷한국어'[i % 18]).join('');
  const inputs: Record<string, string> = {
    '20,000 identical characters': 'a'.repeat(20_000),
    '100 KB identical characters': 'a'.repeat(100_000),
    '100 KB base64': base64.slice(0, 100_000),
    '100 KB minified JS': minified.slice(0, 100_000),
    '100 KB CJK + emoji': cjk.repeat(Math.ceil(100_000 / cjk.length)).slice(0, 100_000 / 2),
    '100 KB whitespace runs': ' \n\t '.repeat(25_000),
  };
  // js-tiktoken's merge is quadratic in the pre-token length: these take minutes there
  // (100 KB of whitespace runs measured 564 s), so it is not run on them.
  const quadratic = new Set(['100 KB identical characters', '100 KB whitespace runs']);
  console.log('\n## Pathological inputs: count (gpt-tokenizer; first-seen text, then median of 5 repeats) vs js-tiktoken encode (1 run)');
  let worst = 0;
  for (const [name, text] of Object.entries(inputs)) {
    const first = time(() => countOrdinary(text));
    const repeat = interleaved({ ours: () => countOrdinary(text) }, 5).ours!;
    worst = Math.max(worst, first, repeat);
    const reference = quadratic.has(name) ? undefined : time(() => referenceEncodeOrdinary(text));
    console.log(`${name}: first ${ms(first)}, repeat ${ms(repeat)} vs js-tiktoken ${reference === undefined ? 'not run (quadratic: minutes)' : ms(reference)}`);
  }
  console.log(`slowest 100 KB-class count: ${ms(worst)} — target < 200 ms: ${verdict(worst < 200)}`);
}

function memory(): void {
  // Peak memory of rendering one long run of a single character (the worst case for the
  // long-piece merge), in a fresh process, against the same process reading the input alone.
  const script = (render: boolean): string => `
    const text = 'a'.repeat(${MEMORY_RUN_CHARS});
    const { renderChatRequest } = require('./src/harmony/chatRequest');
    // Loads the rank tables and the long-piece path's byte map, which both processes hold.
    renderChatRequest({ messages: [{ role: 'user', content: 'a'.repeat(300) }] });
    const before = process.resourceUsage().maxRSS;
    ${render ? "renderChatRequest({ messages: [{ role: 'user', content: text }] }, { date: '2026-01-01' });" : ''}
    console.log(JSON.stringify({ before, peak: process.resourceUsage().maxRSS }));`;
  const peak = (render: boolean): { before: number; peak: number } => {
    const out = spawnSync(process.execPath, ['--import', 'tsx', '-e', script(render)], { cwd: root, encoding: 'utf8' });
    return JSON.parse(out.stdout.trim().split('\n').pop()!) as { before: number; peak: number };
  };
  const baseline = peak(false);
  const rendered = peak(true);
  const mb = (kb: number): string => `${(kb / 1024).toFixed(0)} MB`;
  console.log(`\n## Memory: render of ${MEMORY_RUN_CHARS / 1e6} MB of one repeated character (fresh process, peak RSS; baseline: the same process with the tables loaded)`);
  console.log(`input and tables: ${mb(baseline.peak)}; render: ${mb(rendered.peak)} (+${((rendered.peak - baseline.peak) / (MEMORY_RUN_CHARS / 1024)).toFixed(1)} bytes per input byte)`);
}

const MEMORY_RUN_CHARS = 5_000_000;

coldStart();
agentPrompt();
pathological();
memory();
