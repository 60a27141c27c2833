// Starts the real llama-server built by test/llama/setup.mjs on a free loopback port and always
// stops it. Use `withLlamaServer(options, async (server) => …)` in a test, or `startLlamaServer`
// with `stop()` in a finally / after hook. Every server this module starts is also killed when the
// test process exits, so nothing outlives a test file, even one that crashes.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { craftedFinalModel, craftedToolCallModel, llamaServer, manifestOf, randomModel } from './paths.mjs';

export { craftedFinalModel, craftedToolCallModel, llamaServer, manifestOf, randomModel };

export interface LlamaServerOptions {
  /** GGUF file; default the random tiny gpt-oss model. */
  model?: string;
  /** Context size (-c). Default 4096. */
  ctxSize?: number;
  /** Model id the API reports (--alias). Default: llama.cpp's own (the model path). */
  alias?: string;
  /** CPU threads (-t). Default 2 (the test machine has 2 cores). */
  threads?: number;
  /** More command-line flags, appended last. */
  args?: readonly string[];
  /** How long to wait for /health to answer 200. Default 60 s. */
  startTimeoutMs?: number;
}

export interface LlamaServer {
  /** `http://127.0.0.1:<port>` (no trailing slash). */
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  readonly model: string;
  /** Resolves when the process has exited (with its exit code or signal). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Terminates the server (SIGTERM, then SIGKILL after 5 s) and waits for it. Idempotent. */
  stop(): Promise<void>;
  /** Kills the server at once with SIGKILL (a crash mid-stream) and waits for it. */
  kill(): Promise<void>;
  /** The last lines the server printed, for failure messages. */
  log(): string;
}

const LOOPBACK = '127.0.0.1';
const live = new Set<ChildProcess>();

function killAllNow(): void {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  live.clear();
}

let hooksInstalled = false;
function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', killAllNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      killAllNow();
      process.kill(process.pid, signal);
    });
  }
}

/** What is missing to start a server, or undefined when everything is there. */
export function missingPrerequisite(model = randomModel): string | undefined {
  if (!existsSync(llamaServer)) return `${llamaServer} is missing: run \`npm run setup\` (builds llama-server, ~9 min the first time)`;
  if (!existsSync(model)) return `${model} is missing: run \`npm run setup\` (generates the tiny gpt-oss models)`;
  return undefined;
}

/** A port that was free a moment ago (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, LOOPBACK, () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

async function launch(options: LlamaServerOptions, port: number): Promise<LlamaServer> {
  const model = options.model ?? randomModel;
  const args = [
    '--model', model,
    '--host', LOOPBACK,
    '--port', String(port),
    '--ctx-size', String(options.ctxSize ?? 4096),
    '--parallel', '1',
    '--threads', String(options.threads ?? 2),
    '--jinja',
    '--no-webui',
    '--offline',
    ...(options.alias ? ['--alias', options.alias] : []),
    ...(options.args ?? []),
  ];
  installExitHooks();
  const child = spawn(llamaServer, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    if (lines.length > 200) lines.splice(0, lines.length - 200);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      live.delete(child);
      resolve({ code, signal });
    });
    child.on('error', (error) => {
      lines.push(`spawn error: ${error.message}`);
      live.delete(child);
      resolve({ code: null, signal: null });
    });
  });
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  const url = `http://${LOOPBACK}:${port}`;
  const log = () => lines.join('\n');

  const terminate = async (signal: NodeJS.Signals, graceMs: number) => {
    if (gone) return;
    child.kill(signal);
    // Unref'd: a pending grace timer must not keep the test process alive after the server is gone.
    const timer = sleep(graceMs, undefined, { ref: false }).then(() => 'timeout' as const);
    if ((await Promise.race([exited, timer])) === 'timeout') {
      child.kill('SIGKILL');
      await exited;
    }
  };
  const server: LlamaServer = {
    url,
    port,
    pid: child.pid ?? -1,
    model,
    exited,
    stop: () => terminate('SIGTERM', 5000),
    kill: () => terminate('SIGKILL', 5000),
    log,
  };

  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  try {
    for (;;) {
      if (gone) throw new Error(`llama-server exited before it was ready (${JSON.stringify(await exited)})`);
      try {
        const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
        if (response.status === 200) return server;
        await response.body?.cancel();
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`llama-server did not answer /health within ${options.startTimeoutMs ?? 60_000} ms`);
      await sleep(100);
    }
  } catch (error) {
    await server.stop();
    throw new Error(`${(error as Error).message}\n--- llama-server ${args.join(' ')} ---\n${log()}`, { cause: error });
  }
}

/** Starts llama-server and waits until /health answers 200. Retries on a port taken in between. */
export async function startLlamaServer(options: LlamaServerOptions = {}): Promise<LlamaServer> {
  const missing = missingPrerequisite(options.model ?? randomModel);
  if (missing) throw new Error(missing);
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await launch(options, await freePort());
    } catch (error) {
      lastError = error;
      if (!/bind|address already in use/i.test((error as Error).message)) throw error;
    }
  }
  throw lastError;
}

/** Runs `body` with a fresh server and stops the server afterwards, whatever happens. */
export async function withLlamaServer<T>(options: LlamaServerOptions, body: (server: LlamaServer) => Promise<T>): Promise<T> {
  const server = await startLlamaServer(options);
  try {
    return await body(server);
  } finally {
    await server.stop();
  }
}
