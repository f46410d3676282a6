// Index commands: Rebuild Index, Show Index Status, Show Coverage Report (a read-only markdown
// document rendered in the markdown preview) and Show Log.
import * as vscode from 'vscode';
import type { FolderStatus, SkippedFile } from '../../protocol/protocol';
import type { WorkspaceIndex } from '../workspaceIndex';

const REPORT_SCHEME = 'semantic-notes-report';
const COVERAGE_URI = vscode.Uri.from({ scheme: REPORT_SCHEME, path: '/coverage.md' });

/**
 * Serves the coverage report as a read-only file of its own scheme, rebuilt whenever it is opened.
 * A file system provider (not a text document content provider): the markdown preview reads its
 * source through the file service, which had no provider for the scheme, so the preview stayed
 * blank and the workbench logged a CodeExpectedError.
 */
export class CoverageReport implements vscode.FileSystemProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.emitter.event;
  private text = '';
  private mtime = Date.now();

  constructor(private readonly index: WorkspaceIndex) {}

  /** Builds the report now and shows it in the markdown preview; returns its markdown. */
  async show(): Promise<string> {
    this.text = await this.build();
    this.mtime = Date.now();
    this.emitter.fire([{ type: vscode.FileChangeType.Changed, uri: COVERAGE_URI }]);
    try {
      await vscode.commands.executeCommand('markdown.showPreview', COVERAGE_URI);
    } catch {
      // Without the built-in markdown extension, the source is readable too.
      await vscode.window.showTextDocument(COVERAGE_URI, { preview: true });
    }
    return this.text;
  }

  stat(uri: vscode.Uri): vscode.FileStat {
    if (uri.path !== COVERAGE_URI.path) throw vscode.FileSystemError.FileNotFound(uri);
    return { type: vscode.FileType.File, ctime: this.mtime, mtime: this.mtime, size: Buffer.byteLength(this.text), permissions: vscode.FilePermission.Readonly };
  }

  readFile(uri: vscode.Uri): Uint8Array {
    if (uri.path !== COVERAGE_URI.path) throw vscode.FileSystemError.FileNotFound(uri);
    return Buffer.from(this.text, 'utf8');
  }

  readDirectory(): [string, vscode.FileType][] {
    return [['coverage.md', vscode.FileType.File]];
  }

  watch(): vscode.Disposable {
    return new vscode.Disposable(() => undefined);
  }

  createDirectory(uri: vscode.Uri): never {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  writeFile(uri: vscode.Uri): never {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  delete(uri: vscode.Uri): never {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  rename(uri: vscode.Uri): never {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  private async build(): Promise<string> {
    const out: string[] = [`# ${vscode.l10n.t('Semantic Notes: coverage report')}`, ''];
    const statuses = await this.index.status();
    for (const f of this.index.folders()) {
      const id = f.uri.toString();
      const s = statuses.find((x) => x.folderId === id);
      out.push(`## ${md(f.name)}`, '');
      if (!s) {
        out.push(vscode.l10n.t('Not indexed (see the log).'), '');
        continue;
      }
      const c = await this.index.coverage(id);
      out.push(
        `- ${md(vscode.l10n.t('Folder: {0}', s.root))}`,
        `- ${md(vscode.l10n.t('Indexed: {0} notes, {1} passages, {2} vectors', c.indexed, s.chunks, s.vectors))}`,
        `- ${md(vscode.l10n.t('Skipped: {0}', c.skipped.length))}`,
        `- ${md(s.model ? vscode.l10n.t('Model: {0}', s.model) : vscode.l10n.t('No embedding model: keyword search only'))}`,
        `- ${md(vscode.l10n.t('Index stored in {0} ({1} MB)', s.store, (s.storeBytes / 1e6).toFixed(2)))}`,
        `- ${md(vscode.l10n.t('Left out without a listing: files.exclude, .gitignore and the exclude setting.'))}`,
        '',
      );
      if (c.skipped.length) {
        out.push(`| ${md(vscode.l10n.t('File'))} | ${md(vscode.l10n.t('Reason'))} | ${md(vscode.l10n.t('Detail'))} |`, '| --- | --- | --- |');
        for (const k of c.skipped) out.push(`| ${md(k.path)} | ${md(reasonText(k.reason))} | ${md(k.detail ?? '')} |`);
        out.push('');
      }
    }
    if (!this.index.folders().length) out.push(vscode.l10n.t('No folder is open.'));
    return out.join('\n');
  }

  dispose(): void {
    this.emitter.dispose();
  }
}

export function reasonText(r: SkippedFile['reason']): string {
  switch (r) {
    case 'binary':
      return vscode.l10n.t('binary file');
    case 'too-large':
      return vscode.l10n.t('larger than the size limit');
    case 'unreadable':
      return vscode.l10n.t('unreadable');
    case 'invalid-utf8':
      return vscode.l10n.t('not valid UTF-8 text');
    case 'not-a-file':
      return vscode.l10n.t('not a regular file');
    case 'symlink-loop':
      return vscode.l10n.t('symbolic link loop');
    case 'symlink-refused':
      return vscode.l10n.t('symbolic link not followed');
    case 'empty':
      return vscode.l10n.t('empty');
    default:
      return String(r);
  }
}

/** Shows the folders' index status as a message (and in the log); returns it. */
export async function showStatus(index: WorkspaceIndex, log: vscode.LogOutputChannel): Promise<FolderStatus[]> {
  const s = await index.status();
  const lines = s.map((f) =>
    vscode.l10n.t('{0}: {1} notes, {2} passages, {3} skipped — {4}', f.root, f.files.toLocaleString(), f.chunks.toLocaleString(), f.skipped, f.model ?? vscode.l10n.t('keyword search only')) +
    (f.indexing ? ` (${vscode.l10n.t('indexing')})` : ''),
  );
  for (const l of lines) log.info(l);
  const coverage = vscode.l10n.t('Show Coverage Report');
  void vscode.window.showInformationMessage(lines.join(' | ') || vscode.l10n.t('No folder is indexed.'), coverage).then((c) => c === coverage && vscode.commands.executeCommand('semanticNotes.showCoverage'));
  return s;
}

export function registerReportProvider(report: CoverageReport): vscode.Disposable {
  return vscode.workspace.registerFileSystemProvider(REPORT_SCHEME, report, { isReadonly: true, isCaseSensitive: true });
}

/** Markdown specials escaped, so file names and details show as text (also inside table cells). */
function md(s: string): string {
  return String(s).replace(/[\\`*_{}[\]()#+\-.!<>|~&]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');
}
