// In-host screenshots. A test in the extension host cannot reach the browser, so:
//   1. screenshot(name) deletes <dir>/<name>.png and logs a line that is exactly
//      "@@screenshot <name>" (other characters than [A-Za-z0-9_.-] in the name become '_');
//   2. console output of the extension host reaches the page's codeAutomationLog, where the
//      harness (../codeServer.ts) sees the marker and saves page.screenshot() to <dir>/<name>.png
//      (written to a temp name first, then renamed, so the file appears complete);
//   3. screenshot(name) polls until the file exists (timeout → error) and resolves with its path.
// Requests are served in order, one at a time; the picture is the whole 1400×900 workbench.
// <dir> is SEMANTIC_NOTES_SCREENSHOTS, which the harness sets from HostRunOptions.screenshotsDir.
// Without it (e.g. under @vscode/test-electron) no screenshot can be taken: resolves with ''.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DriveAnswer, DriveStep } from '../webviewDriver';

export async function screenshot(name: string, timeoutMs = 15_000): Promise<string> {
  const dir = process.env.SEMANTIC_NOTES_SCREENSHOTS;
  if (!dir) {
    console.log(`[screenshot] ${name}: skipped (SEMANTIC_NOTES_SCREENSHOTS not set)`);
    return '';
  }
  const safe = name.replace(/[^\w.-]/g, '_');
  const file = path.join(dir, `${safe}.png`);
  fs.rmSync(file, { force: true });
  // Let the UI paint before the picture is taken.
  await new Promise((r) => setTimeout(r, 500));
  console.log(`@@screenshot ${safe}`);
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (fs.existsSync(file)) return file;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`screenshot ${name} was not taken within ${timeoutMs} ms (is the harness watching for @@screenshot?)`);
}

/** Waits for a file the harness writes in answer to a marker line (see ../codeServer.ts). */
async function harnessAnswer<T>(marker: string, file: string, timeoutMs: number): Promise<T> {
  const dir = process.env.SEMANTIC_NOTES_SCREENSHOTS;
  if (!dir) throw new Error(`${marker}: SEMANTIC_NOTES_SCREENSHOTS is not set (run under test/host/codeServer.ts)`);
  const full = path.join(dir, file);
  fs.rmSync(full, { force: true });
  console.log(marker);
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (fs.existsSync(full)) return JSON.parse(fs.readFileSync(full, 'utf8')) as T;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${marker}: no answer from the harness within ${timeoutMs} ms`);
}

export interface FrameDom {
  url: string;
  error?: string;
  title: string;
  csp: string | null;
  /** inline: the start of a script without src (VS Code injects its webview API so). */
  scripts: { src: string; nonce: boolean; inline: string }[];
  stylesheets: string[];
  /** ids of <style> elements (VS Code injects _defaultStyles into every webview). */
  styles: string[];
  risky: string[];
  injected: string[];
  handlers: string[];
  hovers: { text: string; links: string[]; images: string[] }[];
  checkboxes: { label: string; checked: boolean }[];
  pwned: unknown;
  text: string;
}

/** The DOM of the workbench and of every webview frame, read by the harness from outside the host. */
export async function inspectDom(name: string, timeoutMs = 15_000): Promise<FrameDom[]> {
  const safe = name.replace(/[^\w.-]/g, '_');
  await new Promise((r) => setTimeout(r, 300));
  return harnessAnswer<FrameDom[]>(`@@dom ${safe}`, `${safe}.dom.json`, timeoutMs);
}

/** Posts messages from inside the webview page running media/<script>, through VS Code's real bridge. */
export async function postFromWebview(name: string, script: string, messages: unknown[], timeoutMs = 15_000): Promise<{ frames: number; errors: string[] }> {
  const safe = name.replace(/[^\w.-]/g, '_');
  // The messages travel in a file: a console line that long would be cut by the host.
  fs.writeFileSync(path.join(process.env.SEMANTIC_NOTES_SCREENSHOTS ?? '.', `${safe}.messages.json`), JSON.stringify(messages));
  return harnessAnswer<{ frames: number; errors: string[] }>(`@@post ${safe} ${script}`, `${safe}.posted.json`, timeoutMs);
}

/**
 * Drives the webview page running media/<script> with real mouse and keyboard input (see
 * ../webviewDriver.ts for the steps); resolves with what was done, and rejects with the step that failed.
 */
export async function driveWebview(name: string, script: string, steps: DriveStep[], timeoutMs = 60_000): Promise<DriveAnswer> {
  const safe = name.replace(/[^\w.-]/g, '_');
  fs.writeFileSync(path.join(process.env.SEMANTIC_NOTES_SCREENSHOTS ?? '.', `${safe}.actions.json`), JSON.stringify(steps));
  const answer = await harnessAnswer<DriveAnswer>(`@@drive ${safe} ${script}`, `${safe}.driven.json`, timeoutMs);
  if (answer.error) throw new Error(`${name}: step ${answer.done + 1} (${JSON.stringify(steps[answer.done])}) failed: ${answer.error}`);
  return answer;
}
