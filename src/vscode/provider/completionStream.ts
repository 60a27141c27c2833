// The transport's events → the response writer (which reports parts to VS Code), and what
// the end of the response adds: a note when the model gave no answer, and the usage part.
import * as vscode from 'vscode';
import type { ParserEvent } from '../../harmony';
import type { StreamEvent } from '../../servers';
import type { ResponseSummary } from './responseStream';
import type { FinishedCompletion } from './toolCallTokens';

export interface Usage {
  readonly promptTokens?: number | undefined;
  readonly completionTokens?: number | undefined;
}

export interface StreamOutcome extends FinishedCompletion {
  readonly usage?: Usage | undefined;
}

/** Passes every parser event on as it arrives; keeps the usage and the completion for the end. */
export async function streamToWriter(events: AsyncIterable<StreamEvent>, writer: { onEvent(event: ParserEvent): void }): Promise<StreamOutcome> {
  let usage: Usage | undefined;
  let completion: FinishedCompletion['completion'];
  let lastStop: string | undefined;
  for await (const event of events) {
    if (event.type === 'usage') usage = event;
    else if (event.type === 'done') completion = event.completion;
    else {
      if (event.type === 'messageEnd') lastStop = event.message.stop;
      writer.onEvent(event);
    }
  }
  return { usage, completion, lastStop };
}

/** Agent mode reports "No response" for a response without text or calls: say why there is none. */
export function emptyAnswerNote(summary: ResponseSummary, maxOutputTokens: number): string | undefined {
  if (summary.textParts > 0 || summary.toolCalls.length > 0) return undefined;
  return summary.thinkingChars > 0
    ? `The model spent its whole output budget (${maxOutputTokens} tokens) reasoning and gave no answer. Lower the thinking effort, or raise gptOss.maxOutputTokens.`
    : 'The model returned an empty response.';
}

/** The `usage` data part chat reads (OpenAI field names); the prompt length stands in when the server sent none. */
export function usagePart(usage: Usage, renderedPromptTokens: number): vscode.LanguageModelDataPart {
  const prompt = usage.promptTokens ?? renderedPromptTokens;
  const generated = usage.completionTokens ?? 0;
  const json = { prompt_tokens: prompt, completion_tokens: generated, total_tokens: prompt + generated };
  return new vscode.LanguageModelDataPart(new TextEncoder().encode(JSON.stringify(json)), 'usage');
}
