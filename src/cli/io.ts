// What a CLI command reads and writes, passed in so tests can run commands in-process.
import { readFile } from 'node:fs/promises';

export interface CliIo {
  readonly readInput: (file: string | undefined) => Promise<string>;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/** A user mistake: printed as one line, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lenientUtf8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/**
 * Input bytes as text. Bytes that are not UTF-8 become U+FFFD, as before, but now with a
 * warning: a count or a render of such a file is not of what the file holds.
 */
export function decodeInput(bytes: Uint8Array, name: string, warn: (message: string) => void): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    warn(`${name} is not valid UTF-8: its invalid bytes are read as U+FFFD`);
    return lenientUtf8.decode(bytes);
  }
}

async function readBytes(file: string | undefined): Promise<Buffer> {
  if (file === undefined || file === '-') return readStdin();
  try {
    return await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(code === 'ENOENT' ? `no such file: ${file}` : `cannot read ${file}: ${code ?? String(error)}`);
  }
}

export const processIo: CliIo = {
  readInput: async (file) => {
    const name = file === undefined || file === '-' ? 'stdin' : file;
    return decodeInput(await readBytes(file), name, (message) => process.stderr.write(`harmony: warning: ${message}\n`));
  },
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/** A UTF-8 byte order mark some editors write at the start of a file; not part of the JSON. */
export function withoutBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Characters that would print as raw bytes or garble a terminal, written as escapes. */
function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029\ufffd]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(withoutBom(text));
  } catch (error) {
    throw new UsageError(`${what} is not valid JSON: ${printable((error as Error).message)}`);
  }
}
