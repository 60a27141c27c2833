// The model's exact tokens of each response that ended in a tool call, keyed by the call id
// VS Code sends back with the tool result: the next prompt then continues token for token
// from what the model wrote, so the server's prefix cache keeps hitting.
import { Special, encodeWithMarkup } from '../../harmony';
import type { CompletionTokenStore } from './messages';

/** Responses kept (one per tool call); the oldest falls out first. */
const KEPT_COMPLETIONS = 256;

/** What the stream said about the completion it produced. */
export interface FinishedCompletion {
  /** The model's ids where the server returned them, else its text with literal markup. */
  readonly completion?: { readonly ids?: readonly number[] | undefined; readonly text: string } | undefined;
  /** How the last message ended (`call` for a tool call). */
  readonly lastStop?: string | undefined;
}

/** `<|start|>assistant` + the completion, ending with `<|call|>` (servers leave it out of the text, some out of the ids). */
export function assistantTurnTokens(completion: NonNullable<FinishedCompletion['completion']>): number[] {
  const ids = [...(completion.ids ?? encodeWithMarkup(completion.text))];
  if (ids[ids.length - 1] !== Special.call) ids.push(Special.call);
  return [Special.start, ...encodeWithMarkup('assistant'), ...ids];
}

export class ToolCallTokens implements CompletionTokenStore {
  private readonly byCallId = new Map<string, readonly number[]>();

  constructor(private readonly capacity = KEPT_COMPLETIONS) {}

  get(callId: string): readonly number[] | undefined {
    return this.byCallId.get(callId);
  }

  /** Keeps the completion under its first call's id; nothing when the response did not end in a call. */
  remember(calls: readonly { readonly callId: string }[], finished: FinishedCompletion): void {
    const first = calls[0];
    if (first === undefined || finished.completion === undefined || finished.lastStop !== 'call') return;
    this.byCallId.set(first.callId, assistantTurnTokens(finished.completion));
    for (const key of this.byCallId.keys()) {
      if (this.byCallId.size <= this.capacity) break;
      this.byCallId.delete(key);
    }
  }
}
