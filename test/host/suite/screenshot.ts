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
