// The messages between the token inspector and its webview: the one definition both sides use
// (media/inspector.js imports these types through JSDoc; tsconfig.webview.json checks it).
// Self-contained on purpose: the webview's type check sees this file and nothing of the extension.

export interface WebviewToken {
  readonly id: number;
  readonly text: string;
  readonly special: boolean;
}

export interface WebviewMessage {
  readonly role: string;
  readonly name?: string | undefined;
  readonly channel?: string | undefined;
  readonly recipient?: string | undefined;
  readonly contentType?: string | undefined;
  readonly content: string;
  readonly stop: string;
  readonly notes: readonly string[];
}

/** Extension → webview. */
export type ToWebview =
  /** First paint: the count and the messages; `source` names what is inspected. Chips follow. */
  | {
      readonly type: 'summary';
      readonly source: string;
      readonly count: number;
      readonly messages: readonly WebviewMessage[];
      readonly unparsed: readonly { readonly text: string; readonly note: string }[];
      /** How many chips will follow (at most the shown maximum). */
      readonly chipTotal: number;
    }
  /** The next chips, in order, from `start`. */
  | { readonly type: 'chips'; readonly start: number; readonly tokens: readonly WebviewToken[] };

/** Webview → extension. */
export type FromWebview =
  | { readonly type: 'ready' }
  /** The summary is on screen. */
  | { readonly type: 'painted'; readonly count: number; readonly messages: number }
  /** Chips received so far; also asks for the next batch. */
  | { readonly type: 'chipsReceived'; readonly received: number }
  /** Select message `index` in the editor. */
  | { readonly type: 'reveal'; readonly index: number };
