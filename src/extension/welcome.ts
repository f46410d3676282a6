// First run: the walkthrough opens once, on the first activation on this machine (a flag in the
// global state), the context keys the sidebar's welcome views read ("indexing", "no model")
// follow the index and the model, and "indexed" completes the walkthrough's first step.
import * as vscode from 'vscode';
import type { ModelStatus } from './modelStatus';
import type { WorkspaceIndex } from './workspaceIndex';

export const WALKTHROUGH_ID = 'semantic-notes.semantic-notes#semanticNotes.gettingStarted';
const SHOWN_KEY = 'semanticNotes.walkthroughShown';

export class FirstRun implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private last: { busy: boolean | null; noModel: boolean | null } = { busy: null, noModel: null };
  /** Whether this activation opened the walkthrough (tests read it). */
  walkthroughOpened = false;

  /** onWelcome: whether a welcome view (indexing, no model) applies now. */
  constructor(private readonly ctx: vscode.ExtensionContext, private readonly index: WorkspaceIndex, private readonly models: ModelStatus, private readonly onWelcome: (shown: boolean) => void) {
    this.disposables.push(index.onDidChangeActivity(() => this.updateContext()), models.onDidChange(() => this.updateContext()));
    this.updateContext();
    // The walkthrough's "Your notes are being indexed" step checks itself once they are.
    void index.whenReady().then(() => {
      if (index.folders().length > 0) void vscode.commands.executeCommand('setContext', 'semanticNotes.indexed', true);
    });
  }

  /** Opens the walkthrough if it was never shown on this machine; resolves with whether it did. */
  async openWalkthroughOnce(): Promise<boolean> {
    if (this.ctx.globalState.get<boolean>(SHOWN_KEY)) return false;
    await this.ctx.globalState.update(SHOWN_KEY, true);
    try {
      await vscode.commands.executeCommand('workbench.action.openWalkthrough', WALKTHROUGH_ID, false);
      this.walkthroughOpened = true;
    } catch {
      // An editor without walkthroughs: nothing to show.
    }
    return this.walkthroughOpened;
  }

  private updateContext(): void {
    const e = this.models.embedding;
    const noModel = e !== null && e.state !== 'ready' && e.state !== 'loading';
    const busy = this.index.busy;
    // Activity events come with every progress step while indexing: only changes go to the workbench.
    if (busy === this.last.busy && noModel === this.last.noModel) return;
    this.last = { busy, noModel };
    void vscode.commands.executeCommand('setContext', 'semanticNotes.indexing', busy);
    void vscode.commands.executeCommand('setContext', 'semanticNotes.noModel', noModel);
    this.onWelcome(busy || noModel);
  }

  dispose(): void {
    this.disposables.forEach((d) => d.dispose());
  }
}
