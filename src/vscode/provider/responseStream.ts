// Parser events → the parts VS Code chat shows: analysis as collapsible thinking,
// preambles and answers as text, function calls as tool calls agent mode runs.
import * as vscode from 'vscode';
import { classify, type MessageHeader, type ParsedMessage, type ParserEvent } from '../../harmony';
import { thinkingPartClass } from './thinkingPart';

export interface ResponseWriterOptions {
  /** Sanitised identifier → the tool name VS Code knows. */
  readonly functionNames: ReadonlyMap<string, string>;
  /** A unique id per tool call (VS Code matches results to calls by it). */
  readonly newCallId: () => string;
  readonly log: (message: string) => void;
}

type Target = 'thinking' | 'text' | 'call';

function headerOnly(header: MessageHeader): ParsedMessage {
  return { ...header, content: '', stop: 'end', notes: [] };
}

export interface ResponseSummary {
  readonly textParts: number;
  readonly toolCalls: readonly { readonly callId: string; readonly name: string }[];
  readonly thinkingChars: number;
}

export interface ResponseWriter {
  onEvent(event: ParserEvent): void;
  /** Closes an open thinking block; what was written so far. */
  finish(): ResponseSummary;
  /** Text of our own, e.g. why there is no answer. */
  text(value: string): void;
}

export function createResponseWriter(progress: vscode.Progress<vscode.LanguageModelResponsePart>, options: ResponseWriterOptions): ResponseWriter {
  const Thinking = thinkingPartClass();
  const calls: { callId: string; name: string }[] = [];
  let textParts = 0;
  let thinkingChars = 0;
  let target: Target = 'text';
  let thinkingId: string | undefined;
  let thinkingCount = 0;

  const text = (value: string): void => {
    if (value === '') return;
    closeThinking();
    progress.report(new vscode.LanguageModelTextPart(value));
    textParts++;
  };

  function closeThinking(): void {
    if (thinkingId === undefined || Thinking === undefined) return;
    // An empty part with the same id tells VS Code the thinking block is complete.
    progress.report(new Thinking('', thinkingId) as unknown as vscode.LanguageModelResponsePart);
    thinkingId = undefined;
  }

  const thinking = (value: string): void => {
    if (value === '') return;
    thinkingChars += value.length;
    if (Thinking === undefined) return;
    thinkingId ??= `thinking_${++thinkingCount}`;
    progress.report(new Thinking(value, thinkingId) as unknown as vscode.LanguageModelResponsePart);
  };

  function targetOf(header: MessageHeader): Target {
    switch (classify(headerOnly(header), { functionNames: options.functionNames }).kind) {
      case 'reasoning':
        return 'thinking';
      case 'functionCall':
      case 'builtinCall':
        return 'call';
      default:
        return 'text';
    }
  }

  function endMessage(message: ParsedMessage): void {
    if (target === 'thinking') closeThinking();
    if (target !== 'call') return;
    const result = classify(message, { functionNames: options.functionNames });
    if (result.kind === 'builtinCall') {
      options.log(`model called ${result.recipient}, which is not offered; shown as text`);
      text(`\n\n_(The model tried to use the built-in tool \`${result.recipient}\`, which this editor does not provide.)_\n\n`);
      return;
    }
    if (result.kind !== 'functionCall') {
      text(message.content);
      return;
    }
    if (message.stop === 'truncated') {
      text(`\n\n_(The response was cut off while the model was writing a call to \`${result.name}\`; raise gptOss.maxOutputTokens.)_\n\n`);
      return;
    }
    closeThinking();
    const input = result.invalidJson ? { _raw: result.rawArguments } : (result.arguments as object);
    const callId = options.newCallId();
    progress.report(new vscode.LanguageModelToolCallPart(callId, result.name, input));
    calls.push({ callId, name: result.name });
  }

  return {
    onEvent(event: ParserEvent): void {
      switch (event.type) {
        case 'messageStart':
          if (target === 'thinking') closeThinking();
          target = targetOf(event.header);
          return;
        case 'contentDelta':
          if (target === 'thinking') thinking(event.text);
          else if (target === 'text') text(event.text);
          return;
        case 'messageEnd':
          endMessage(event.message);
          target = 'text';
          return;
        case 'unparsed':
          options.log(`unparsed model output (${event.note.message})`);
          text(event.text);
          return;
      }
    },
    finish(): ResponseSummary {
      closeThinking();
      return { textParts, toolCalls: calls, thinkingChars };
    },
    text,
  };
}
