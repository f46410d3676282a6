// The message channel to one webview page: messages posted before the page's script is listening
// wait for its "ready"; "rendered" reports resolve nextRender(); everything else goes to the
// owner's handler, which validates it.
import * as vscode from 'vscode';
import { isMessage, isRenderReport, type RenderReport } from './html';

/** ToPage: the messages this page accepts (messages.ts), so the extension cannot send it another shape. */
export class PageChannel<ToPage = unknown> implements vscode.Disposable {
  private ready = false;
  private queue: unknown[] = [];
  private waiters: ((r: RenderReport) => void)[] = [];
  private readonly sub: vscode.Disposable;

  constructor(private readonly webview: vscode.Webview, onMessage: (m: unknown) => void | Promise<void>) {
    this.sub = webview.onDidReceiveMessage(async (m: unknown) => {
      if (isMessage(m, 'ready')) {
        this.ready = true;
        const queued = this.queue;
        this.queue = [];
        for (const q of queued) await this.webview.postMessage(q);
      } else if (isRenderReport(m)) {
        const waiters = this.waiters;
        this.waiters = [];
        waiters.forEach((w) => w({ injected: m.injected, text: m.text, detail: m.detail }));
      } else {
        await onMessage(m);
      }
    });
  }

  async post(m: ToPage): Promise<void> {
    if (this.ready) await this.webview.postMessage(m);
    else this.queue.push(m);
  }

  /** Resolves with the page's report after its next render (of results, a matrix, candidates). */
  nextRender(timeoutMs = 10_000): Promise<RenderReport> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the page did not render in time')), timeoutMs);
      this.waiters.push((r) => {
        clearTimeout(timer);
        resolve(r);
      });
    });
  }

  dispose(): void {
    this.sub.dispose();
  }
}
