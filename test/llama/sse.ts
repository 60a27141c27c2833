// Reading a server-sent-event stream with plain fetch (the live tests that run before the
// transports exist, and checks that must see the raw wire).

/** The `data:` payloads of an SSE body, one per event, as they arrive. */
export async function* sseData(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffer = '';
  const reader = body.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, '\n');
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const event = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = event.split('\n').filter((line) => line.startsWith('data:')).map((line) => line.slice(5).replace(/^ /, ''));
        if (data.length > 0) yield data.join('\n');
      }
    }
    buffer += decoder.decode();
    const data = buffer.split('\n').filter((line) => line.startsWith('data:')).map((line) => line.slice(5).replace(/^ /, ''));
    if (data.length > 0) yield data.join('\n');
  } finally {
    reader.releaseLock();
  }
}

/** One streamed /completion event (the fields the tests read). */
export interface CompletionEvent {
  content: string;
  tokens?: number[];
  stop: boolean;
  stop_type?: string;
  tokens_predicted?: number;
  tokens_evaluated?: number;
  timings?: Record<string, number>;
  error?: { code: number; message: string; type?: string };
  [key: string]: unknown;
}

/** POSTs a streaming /completion request and yields its parsed events. Throws on a non-200 answer. */
export async function* streamCompletion(url: string, body: Record<string, unknown>, signal?: AbortSignal): AsyncGenerator<CompletionEvent> {
  const response = await fetch(`${url}/completion`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...body, stream: true }),
    signal,
  });
  if (response.status !== 200 || !response.body) {
    throw new Error(`/completion answered ${response.status}: ${await response.text()}`);
  }
  for await (const data of sseData(response.body)) yield JSON.parse(data) as CompletionEvent;
}
