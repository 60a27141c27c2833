// What a VS Code webview provides to its scripts (the part the inspector uses).
interface VsCodeWebviewApi<Message, State> {
  postMessage(message: Message): void;
  setState(state: State): void;
  getState(): State | undefined;
}

declare function acquireVsCodeApi<Message = unknown, State = unknown>(): VsCodeWebviewApi<Message, State>;
