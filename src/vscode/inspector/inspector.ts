// "Inspect Harmony Tokens": a webview with the token count, the messages our parser reads from
// the text (with its recovery notes), and every token as a chip. The count and the messages are
// painted first; the chips stream in after, a batch each time the webview has taken the last.
// Clicking a message selects its range in the editor. Follows the document as it changes.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { readTranscript, type TranscriptReading } from '../../harmony';
import { chipTotal, chipsMessage, summaryMessage } from './inspectorMessages';
import type { FromWebview, ToWebview } from './inspectorProtocol';

const DEBOUNCE_MS = 300;

export interface Painted {
  readonly count: number;
  readonly messages: number;
}

function html(webview: vscode.Webview, media: vscode.Uri): string {
  const nonce = randomBytes(18).toString('base64');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(media, 'inspector.js'));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(media, 'inspector.css'));
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${webview.cspSource}; script-src 'nonce-${nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style}">
<title>Harmony Tokens</title>
</head>
<body>
<header><span id="count">…</span><span id="message-count" class="muted"></span><span id="source" class="muted"></span></header>
<h2>Messages</h2>
<div id="messages"></div>
<h2>Tokens</h2>
<div id="tokens" class="tokens"></div>
<button id="more" hidden></button>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
}

/** One inspector panel on one document (or a selection of it). */
export class InspectorPanel implements vscode.Disposable {
  private reading: TranscriptReading | undefined;
  private ready = false;
  private painted: Painted | undefined;
  private paintWaiters: ((painted: Painted) => void)[] = [];
  private chipsReceived = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly rangeStart: number;
  private readonly source: string;

  constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly editor: vscode.TextEditor,
    private readonly selection: vscode.Selection | undefined,
  ) {
    const document = editor.document;
    this.rangeStart = selection ? document.offsetAt(selection.start) : 0;
    const path = vscode.workspace.asRelativePath(document.uri);
    this.source = selection ? `selection of ${path}` : path;
    this.disposables.push(
      panel.webview.onDidReceiveMessage((message: FromWebview) => this.receive(message)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document !== document || selection) return;
        if (this.timer) clearTimeout(this.timer);
        this.timer = setTimeout(() => this.update(), DEBOUNCE_MS);
      }),
    );
    this.update();
  }

  /** What the extension-host tests read (through a command registered in test mode only). */
  state(): { readonly count: number | undefined; readonly messages: TranscriptReading['messages']; readonly chipsReceived: number } {
    return { count: this.reading?.ids.length, messages: this.reading?.messages ?? [], chipsReceived: this.chipsReceived };
  }

  /** Resolves when the webview has painted the latest reading. */
  whenPainted(): Promise<Painted> {
    return new Promise((resolve) => (this.painted ? resolve(this.painted) : this.paintWaiters.push(resolve)));
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
    this.panel.dispose();
  }

  private update(): void {
    const document = this.editor.document;
    this.reading = readTranscript(this.selection ? document.getText(this.selection) : document.getText());
    this.painted = undefined;
    this.chipsReceived = 0;
    this.send();
  }

  private post(message: ToWebview): Thenable<boolean> {
    return this.panel.webview.postMessage(message);
  }

  /** The summary now; the chips once it is painted (see receive). */
  private send(): void {
    if (this.ready && this.reading) void this.post(summaryMessage(this.reading, this.source));
  }

  /**
   * The chips batch from `start`, sent when the webview has painted the summary or taken the
   * previous batch: the first paint never waits behind chips, and the webview stays responsive.
   */
  private sendChips(start: number): void {
    if (this.reading && start < chipTotal(this.reading)) void this.post(chipsMessage(this.reading, start));
  }

  private receive(message: FromWebview): void {
    switch (message.type) {
      case 'ready':
        this.ready = true;
        this.send();
        return;
      case 'painted': {
        this.painted = { count: message.count, messages: message.messages };
        const waiters = this.paintWaiters;
        this.paintWaiters = [];
        for (const resolve of waiters) resolve(this.painted);
        this.sendChips(0);
        return;
      }
      case 'chipsReceived':
        this.chipsReceived = message.received;
        this.sendChips(message.received);
        return;
      case 'reveal':
        this.reveal(message.index);
        return;
    }
  }

  private reveal(index: number): void {
    const m = this.reading?.messages[index];
    if (!m) return;
    const document = this.editor.document;
    const range = new vscode.Range(document.positionAt(this.rangeStart + m.start), document.positionAt(this.rangeStart + m.end));
    void vscode.window.showTextDocument(document, { viewColumn: this.editor.viewColumn, selection: range, preserveFocus: false });
  }
}

/** The command's owner: one panel at a time; a new inspection replaces the previous one. */
export class TokenInspector implements vscode.Disposable {
  private current: InspectorPanel | undefined;

  constructor(private readonly extensionUri: vscode.Uri) {}

  get panel(): InspectorPanel | undefined {
    return this.current;
  }

  open(): void {
    const editor = vscode.window.activeTextEditor;
    if (!editor) {
      void vscode.window.showWarningMessage('Open a file (or select text) to inspect its Harmony tokens.');
      return;
    }
    this.current?.dispose();
    const media = vscode.Uri.joinPath(this.extensionUri, 'media');
    const title = `Tokens: ${editor.document.fileName.split(/[\\/]/).pop() ?? 'untitled'}`;
    const panel = vscode.window.createWebviewPanel('gptOss.inspector', title, vscode.ViewColumn.Beside, {
      enableScripts: true,
      localResourceRoots: [media],
      retainContextWhenHidden: true,
    });
    panel.webview.html = html(panel.webview, media);
    const inspector = new InspectorPanel(panel, editor, editor.selection.isEmpty ? undefined : editor.selection);
    panel.onDidDispose(() => {
      inspector.dispose();
      if (this.current === inspector) this.current = undefined;
    });
    this.current = inspector;
  }

  dispose(): void {
    this.current?.dispose();
  }
}
