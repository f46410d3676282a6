// Asks the harness (the Playwright side) for a screenshot of the workbench and waits until the
// PNG exists. See ../codeServer.ts for the protocol.
import * as fs from 'node:fs';
import * as path from 'node:path';

export async function screenshot(name: string, timeoutMs = 15_000): Promise<string | null> {
  const dir = process.env.SEMANTIC_NOTES_SCREENSHOTS;
  if (!dir) return null;
  const file = path.join(dir, `${name}.png`);
  fs.rmSync(file, { force: true });
  // Let the UI paint before the picture is taken.
  await new Promise((r) => setTimeout(r, 600));
  console.log(`@@screenshot ${name}`);
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (fs.existsSync(file)) return file;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`screenshot ${name} was not taken within ${timeoutMs} ms`);
}
