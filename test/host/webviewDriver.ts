// Drives a webview as a person would: real mouse clicks, real key presses and typed characters,
// dispatched by Chromium through playwright-core into the frame that runs media/<script>.
// A test inside the extension host cannot reach the browser, so it writes the steps to
// <dir>/<name>.actions.json and logs "@@drive <name> <script>" (see suite/screenshot.ts
// driveWebview); the harness (codeServer.ts) calls driveWebview() below, which writes
// <dir>/<name>.driven.json: { done, error? } — the steps run in order and stop at the first failure.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Frame, Page } from 'playwright-core';

/** One step. selector is a CSS selector inside the webview page; nth picks among its matches (default 0). */
export type DriveStep =
  | { op: 'click'; selector: string; nth?: number }
  | { op: 'type'; text: string }
  | { op: 'press'; key: string }
  | { op: 'select'; selector: string; value: string; nth?: number }
  | { op: 'check' | 'uncheck'; selector: string }
  | { op: 'waitFor'; selector: string; nth?: number }
  /** A pause, as between a person's actions (lets the page settle after a message). */
  | { op: 'wait'; ms: number }
  /** Reads the page: writes the focused element's description and the selector's texts (an input's value) into the answer. */
  | { op: 'read'; selector: string };

/** A key pressed with Control or Meta. */
const CHORD = /^(Control|Meta)\+/;
const settle = (ms = 300) => new Promise((r) => setTimeout(r, ms));

export interface DriveAnswer {
  done: number;
  error?: string;
  /** For each 'read' step: the focused element ("TAG.class" and its text) and the texts of the selector's matches. */
  reads: { focused: string; texts: string[] }[];
}

async function frameRunning(page: Page, script: string): Promise<Frame | undefined> {
  for (const frame of page.frames()) {
    const ours = await frame.evaluate(`[...document.scripts].some((s) => s.src.endsWith(${JSON.stringify(`/media/${script}`)}))`).catch(() => false);
    if (ours) return frame;
  }
  return undefined;
}

export async function driveWebview(page: Page, dir: string, name: string, script: string): Promise<void> {
  const steps = JSON.parse(fs.readFileSync(path.join(dir, `${name}.actions.json`), 'utf8')) as DriveStep[];
  const answer: DriveAnswer = { done: 0, reads: [] };
  try {
    // A view just revealed may still be loading its page.
    let frame = await frameRunning(page, script);
    for (let end = Date.now() + 15_000; !frame && Date.now() < end; frame = await frameRunning(page, script)) await new Promise((r) => setTimeout(r, 250));
    if (!frame) {
      const seen = await Promise.all(page.frames().map(async (f) => `${f.url().slice(0, 60)} [${await f.evaluate(`[...document.scripts].map((s) => s.src.slice(-40)).join(' ')`).catch((e: Error) => e.message.slice(0, 60))}]`));
      throw new Error(`no webview frame runs media/${script}; frames: ${seen.join('; ')}`);
    }
    for (const step of steps) {
      const at = (selector: string, nth = 0) => frame.locator(selector).nth(nth);
      switch (step.op) {
        case 'click':
          await at(step.selector, step.nth).click({ timeout: 10_000 });
          break;
        case 'type':
          // Character by character, with key events, as a keyboard would.
          await page.keyboard.type(step.text, { delay: 30 });
          break;
        case 'press':
          // A chord (Ctrl+A, Ctrl+End) at a person's pace: the workbench answers some chords in a
          // webview itself and sends the result back to the page later (select all), so a key
          // typed at machine speed could land first and be selected over ("ourdough starter").
          if (CHORD.test(step.key)) await settle();
          await page.keyboard.press(step.key);
          if (CHORD.test(step.key)) await settle();
          break;
        case 'select':
          // Opens the drop-down with the mouse, then picks the option as the browser's list does.
          await at(step.selector, step.nth).click({ timeout: 10_000 });
          await at(step.selector, step.nth).selectOption(step.value, { timeout: 10_000 });
          await page.keyboard.press('Escape').catch(() => undefined);
          break;
        case 'check':
          await at(step.selector).check({ timeout: 10_000 });
          break;
        case 'uncheck':
          await at(step.selector).uncheck({ timeout: 10_000 });
          break;
        case 'waitFor':
          await at(step.selector, step.nth).waitFor({ timeout: 10_000 });
          break;
        case 'wait':
          await settle(Math.min(step.ms, 5_000));
          break;
        case 'read':
          answer.reads.push(
            (await frame.evaluate(`(() => {
              const a = document.activeElement;
              const focused = a ? a.tagName + (a.className ? '.' + String(a.className).split(' ').join('.') : '') + ' ' + (a.textContent || '').slice(0, 200) : '';
              return { focused, texts: [...document.querySelectorAll(${JSON.stringify(step.selector)})].map((e) => (e.value !== undefined && e.tagName === 'INPUT' ? e.value : e.textContent || '').slice(0, 500)) };
            })()`)) as { focused: string; texts: string[] },
          );
          break;
      }
      answer.done++;
    }
  } catch (err) {
    answer.error = (err as Error).message.split('\n')[0].slice(0, 3000);
  }
  fs.writeFileSync(path.join(dir, `${name}.driven.json.tmp`), JSON.stringify(answer, null, 1));
  fs.renameSync(path.join(dir, `${name}.driven.json.tmp`), path.join(dir, `${name}.driven.json`));
}
