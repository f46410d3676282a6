// Runs VS Code for real: code-server 4.100.3 (VS Code 1.100.3) on loopback, driven by Debian's
// Chromium through playwright-core. Plain Node library (no `vscode` import); install the tools
// with `bash scripts/setup-host.sh`.
//
// Extension tests run inside the real extension host through VS Code's own test payload
// (extensionDevelopmentPath + extensionTestsPath in the workbench URL, as vscode-remote URIs);
// code-server rejects --extensionDevelopmentPath on its command line. When the mocha run ends the
// workbench calls window.codeAutomationExit(code), which we expose with page.exposeFunction, and
// everything the extension host logs arrives in window.codeAutomationLog(type, args), which we
// forward to stdout (prefixed "[host]") and collect in `logs`.
//
// The extension host is a child of the code-server process, which passes its own environment on:
// HostRunOptions.env is therefore set on the code-server process.
//
// Screenshots from inside the host: a test there cannot reach the browser, so it calls
// `await screenshot(name)` from suite/screenshot.ts, which deletes <dir>/<name>.png and logs a line
// that is exactly "@@screenshot <name>" (name: [A-Za-z0-9_.-]). We see that line in
// codeAutomationLog, save page.screenshot() to <screenshotsDir>/<name>.png (written under a temp
// name, then renamed, so the file never appears half-written) and the test polls until the file
// exists (15 s default, then it throws). screenshotsDir reaches the host as the env variable
// SEMANTIC_NOTES_SCREENSHOTS (set here automatically); without it screenshot() resolves with ''.
// Requests are served one after the other, in order.
//
// Log forwarding: every host line goes to `logs`; stdout gets them prefixed "[host <type>]",
// except a few lines of start-up chatter (NOISE below) unless SEMANTIC_NOTES_HOST_VERBOSE=1.
// "[harness]" lines give the phases with their times, e.g. "workbench loaded (3.1 s)".
//
// Teardown: browser closed and code-server's whole process group (it is started detached, so the
// extension host and file watcher die with it) killed on success, failure, timeout, and when this
// Node process exits; the temp folder (config, user data, extensions) is removed.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { format } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { driveWebview } from './webviewDriver';

export interface HostRunOptions {
  /** Folder of the extension under development (its package.json). */
  extensionDevelopmentPath?: string;
  /** Compiled JS module exporting run(): Promise<void> (e.g. out/test/host/suite/index.js). */
  extensionTestsPath?: string;
  /** Folder opened in the workbench, or a .code-workspace file (a multi-root workspace). */
  workspaceFolder: string;
  /** Where "@@screenshot <name>" requests are saved as <name>.png. */
  screenshotsDir?: string;
  /** Whole run, start-up included (default 300 000 ms). */
  timeoutMs?: number;
  /** Extra environment for code-server and so the extension host. */
  env?: Record<string, string>;
  /** A .vsix installed with --install-extension into the fresh extensions folder first. */
  installVsix?: string;
  /** User settings.json entries (merged over quiet defaults). */
  settings?: Record<string, unknown>;
  /**
   * Workspace trust on (it is off by default): the folder then opens untrusted, in Restricted
   * Mode, without the startup prompt (nobody is there to answer it).
   */
  workspaceTrust?: boolean;
}

export const repoRoot = path.resolve(__dirname, '..', '..', '..');
export const codeServerBin = process.env.CODE_SERVER_PATH ?? path.join(repoRoot, '.tools', 'code-server', 'node_modules', '.bin', 'code-server');
export const chromiumBin = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/** Exit code reported when the run does not finish within timeoutMs. */
export const TIMEOUT_EXIT_CODE = 124;
const DEFAULT_TIMEOUT_MS = 300_000;
/** Start-up chatter of the workbench, kept in `logs` but not printed (SEMANTIC_NOTES_HOST_VERBOSE=1 prints it). */
const NOISE = [
  /^Ignoring fetching additional builtin extensions from gallery/,
  /^Updating additional builtin extensions cache/,
  /^Resolv(ing|ed) connection token/,
  /^Creating a socket \(renderer-/,
  /^\[Service Worker\] registered/,
  /^ChatSessionStore: Migrating 0 chat sessions/,
];
const verbose = process.env.SEMANTIC_NOTES_HOST_VERBOSE === '1';

/** Throws with the fix when code-server or Chromium is missing. */
export function checkHostInstalled(): void {
  const missing = [codeServerBin, chromiumBin].filter((f) => !fs.existsSync(f));
  if (missing.length > 0) {
    throw new Error(`host tests need code-server and Chromium; missing: ${missing.join(', ')}. Run "bash scripts/setup-host.sh" first.`);
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const live = new Set<Session>();
let signalsInstalled = false;
/**
 * Ctrl-C or a test runner's SIGTERM must not leave detached code-server process groups behind: kill
 * them, then end as the signal would have. Playwright listens for these signals too (it closes
 * its browsers, and its 'exit' hook kills them) but does not exit on SIGTERM/SIGHUP, so when other
 * listeners remain the process exits by itself after 3 s.
 */
function installSignalHandlers(): void {
  if (signalsInstalled) return;
  signalsInstalled = true;
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      for (const s of live) s.abandon();
      if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
      else setTimeout(() => process.exit(128 + os.constants.signals[sig]), 3000);
    });
  }
}

/** One code-server + browser; every resource is registered as soon as it exists so close() can always clean up. */
class Session {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sn-host-'));
  proc: ChildProcess | null = null;
  browser: Browser | null = null;
  page: Page | null = null;
  serverLog: string[] = [];
  logs: string[] = [];
  private readonly t0 = Date.now();
  private shots: Promise<void> = Promise.resolve();
  private closed = false;
  private resolveExit: (code: number) => void = () => undefined;
  /** Resolves with the extension host's test exit code (or ≠ 0 when code-server dies first). */
  exit = new Promise<number>((r) => (this.resolveExit = r));
  private readonly onProcessExit = () => this.killServer();

  constructor(readonly opts: HostRunOptions) {
    process.once('exit', this.onProcessExit);
    live.add(this);
    installSignalHandlers();
  }

  note(line: string): void {
    this.logs.push(line);
    process.stdout.write(`[harness] ${line}\n`);
  }

  /**
   * The settings given in opts.settings that user settings.json no longer holds as given, or ''.
   * Printed when a run fails: a run that lost them (once in CI) ran on the default model.
   */
  lostUserSettings(): string {
    const given = this.opts.settings ?? {};
    let now: Record<string, unknown> = {};
    try {
      now = JSON.parse(fs.readFileSync(path.join(this.dir, 'user-data', 'User', 'settings.json'), 'utf8')) as Record<string, unknown>;
    } catch (err) {
      return `user settings.json unreadable: ${(err as Error).message}`;
    }
    const lost = Object.keys(given).filter((k) => JSON.stringify(now[k]) !== JSON.stringify(given[k]));
    return lost.length ? `user settings.json lost ${lost.join(', ')}; it holds ${JSON.stringify(now)}` : '';
  }

  elapsed(): string {
    return `${((Date.now() - this.t0) / 1000).toFixed(1)} s`;
  }

  killServer(): void {
    const pid = this.proc?.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }

  /** Synchronous last-resort teardown (signals): the process group and the temp folder. */
  abandon(): void {
    this.closed = true; // the process is ending: no "exited unexpectedly" note, close() has nothing left to do
    this.killServer();
    try {
      fs.rmSync(this.dir, { recursive: true, force: true });
    } catch {
      /* a dying process may still be writing there */
    }
  }

  async start(): Promise<void> {
    const { opts, dir } = this;
    checkHostInstalled();
    const userData = path.join(dir, 'user-data');
    const extensions = path.join(dir, 'extensions');
    fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
    fs.mkdirSync(extensions);
    const config = path.join(dir, 'config.yaml');
    fs.writeFileSync(config, 'auth: none\ncert: false\n');
    const settings = {
      'workbench.startupEditor': 'none',
      'workbench.enableExperiments': false,
      'security.workspace.trust.enabled': opts.workspaceTrust === true,
      'security.workspace.trust.startupPrompt': 'never',
      'telemetry.telemetryLevel': 'off',
      'update.mode': 'none',
      'extensions.autoUpdate': false,
      'extensions.autoCheckUpdates': false,
      ...opts.settings,
    };
    fs.writeFileSync(path.join(userData, 'User', 'settings.json'), JSON.stringify(settings, null, 1));
    const baseArgs = ['--auth', 'none', '--disable-telemetry', '--disable-update-check', ...(opts.workspaceTrust ? [] : ['--disable-workspace-trust']), '--config', config, '--user-data-dir', userData, '--extensions-dir', extensions];
    // EXTENSIONS_GALLERY={} turns off code-server's Open VSX gallery (unreachable: only noise in the logs).
    const env: NodeJS.ProcessEnv = { ...process.env, EXTENSIONS_GALLERY: '{}', ...opts.env };
    if (opts.screenshotsDir) {
      fs.mkdirSync(opts.screenshotsDir, { recursive: true });
      env.SEMANTIC_NOTES_SCREENSHOTS = path.resolve(opts.screenshotsDir);
    }

    if (opts.installVsix) {
      const out: string[] = [];
      const code = await new Promise<number | null>((resolve, reject) => {
        const p = spawn(codeServerBin, [...baseArgs, '--install-extension', path.resolve(opts.installVsix!)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
        p.stdout!.on('data', (d) => out.push(String(d)));
        p.stderr!.on('data', (d) => out.push(String(d)));
        p.on('error', reject);
        p.on('exit', resolve);
      });
      if (code !== 0) throw new Error(`code-server --install-extension ${opts.installVsix} failed (${code}):\n${out.join('')}`);
      this.note(`installed ${path.basename(opts.installVsix)}`);
    }

    // The browser starts while code-server boots (both take about a second).
    const launching = chromium.launch({ executablePath: chromiumBin, args: CHROMIUM_ARGS }).then((b) => {
      this.browser = b; // registered at once, so close() ends it even when start-up fails later
      if (this.closed) void b.close().catch(() => undefined);
      return b;
    });
    launching.catch(() => undefined); // reported below, after code-server
    let host = '';
    for (let attempt = 1; ; attempt++) {
      host = `127.0.0.1:${await freePort()}`;
      const up = await this.startServer(baseArgs, host, env);
      if (up) break;
      // freePort() closes its probe before code-server binds: another process may take the port in between.
      if (attempt < 3 && /EADDRINUSE/.test(this.serverLog.join(''))) {
        this.note(`port ${host} was taken; retrying`);
        this.serverLog = [];
        continue;
      }
      throw new Error(`code-server stopped before answering\n${this.serverTail()}`);
    }
    this.note(`code-server answering at http://${host} (${this.elapsed()})`);

    let browser: Browser;
    try {
      browser = await launching;
    } catch (err) {
      throw new Error(`Chromium (${chromiumBin}) did not start: ${(err as Error).message}`);
    }
    if (this.closed) throw new Error('closed during start-up');
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    this.page = page;
    await page.exposeFunction('codeAutomationExit', (code: number) => {
      this.note(`extension host exited with code ${code} (${this.elapsed()})`);
      this.resolveExit(Number(code));
    });
    await page.exposeFunction('codeAutomationLog', (type: string, args: unknown) => this.onHostLog(type, args));

    const payload: [string, string][] = [['skipWelcome', 'true']];
    if (opts.extensionDevelopmentPath) payload.push(['extensionDevelopmentPath', `vscode-remote://${host}${path.resolve(opts.extensionDevelopmentPath)}`]);
    if (opts.extensionTestsPath) payload.push(['extensionTestsPath', `vscode-remote://${host}${path.resolve(opts.extensionTestsPath)}`]);
    // A .code-workspace file opens as a (multi-root) workspace, anything else as a folder.
    const open = opts.workspaceFolder.endsWith('.code-workspace') ? 'workspace' : 'folder';
    const url = `http://${host}/?${open}=${encodeURIComponent(path.resolve(opts.workspaceFolder))}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    await page.goto(url, { timeout: 60_000 });
    this.note(`workbench loaded (${this.elapsed()})`);
  }

  /** Starts code-server on host; true once it answers, false when it exited first. */
  private async startServer(baseArgs: string[], host: string, env: NodeJS.ProcessEnv): Promise<boolean> {
    // detached: code-server leads a new process group, so killServer() also ends the extension host.
    const proc = spawn(codeServerBin, [...baseArgs, '--bind-addr', host, '--ignore-last-opened'], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    this.proc = proc;
    proc.stdout!.on('data', (d) => this.serverLog.push(String(d)));
    proc.stderr!.on('data', (d) => this.serverLog.push(String(d)));
    const exited = new Promise<void>((r) => proc.once('exit', () => r()));
    proc.once('error', (err) => this.serverLog.push(`spawn error: ${err.message}\n`));
    proc.on('exit', (code, signal) => {
      if (!this.closed && this.page) { // (not for an attempt that lost its port)
        this.note(`code-server exited unexpectedly (${code ?? signal})\n${this.serverTail()}`);
        this.resolveExit(code || 1);
      }
    });
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (this.closed) throw new Error('closed during start-up');
      if (proc.exitCode !== null || proc.signalCode !== null) return false;
      try {
        const r = await fetch(`http://${host}/healthz`, { signal: AbortSignal.timeout(2000) });
        if (r.ok) return true;
      } catch {
        /* not up yet */
      }
      if (Date.now() > deadline) throw new Error(`code-server did not answer at http://${host} within 30 s\n${this.serverTail()}`);
      await Promise.race([sleep(150), exited]);
    }
  }

  private onHostLog(type: string, args: unknown): Promise<void> {
    // The host sends console arguments as they were given: apply printf-style formats ("%d passing").
    const list = Array.isArray(args) ? args : [args];
    const line = format(...list).replace(/\\t/g, '\t');
    this.logs.push(line);
    if (verbose || !NOISE.some((re) => re.test(line))) process.stdout.write(`[host ${type}] ${line}\n`);
    const dom = /^@@dom ([\w.-]+)$/.exec(line.trim());
    if (dom) return (this.shots = this.shots.then(() => this.inspectDom(dom[1])));
    const post = /^@@post ([\w.-]+) ([\w.-]+)$/.exec(line.trim());
    if (post) return (this.shots = this.shots.then(() => this.postToWebview(post[1], post[2])));
    const drive = /^@@drive ([\w.-]+) ([\w.-]+)$/.exec(line.trim());
    if (drive && this.opts.screenshotsDir && this.page) return (this.shots = this.shots.then(() => driveWebview(this.page!, this.opts.screenshotsDir!, drive[1], drive[2])));
    const m = /^@@screenshot ([\w.-]+)$/.exec(line.trim());
    if (!m) return Promise.resolve();
    const name = m[1];
    // One at a time, in order; returned so the page's call resolves once the file is there.
    this.shots = this.shots.then(() => this.takeScreenshot(name));
    return this.shots;
  }

  /**
   * "@@dom <name>": reads the DOM of the workbench and of every webview frame from outside the
   * host (what the user's browser really holds) into <screenshotsDir>/<name>.dom.json.
   */
  private async inspectDom(name: string): Promise<void> {
    if (!this.opts.screenshotsDir || !this.page) return;
    const frames = [];
    for (const frame of this.page.frames()) {
      try {
        frames.push(await frame.evaluate(READ_FRAME_DOM));
      } catch (err) {
        frames.push({ url: frame.url(), error: (err as Error).message });
      }
    }
    writeJsonAtomic(path.join(this.opts.screenshotsDir, `${name}.dom.json`), frames);
  }

  /**
   * "@@post <name> <script>": from inside the webview page whose script is media/<script>, posts
   * each message of <screenshotsDir>/<name>.messages.json (a JSON array) through VS Code's own
   * webview bridge, as a compromised or buggy page would; writes <name>.posted.json with how many
   * frames sent them.
   */
  private async postToWebview(name: string, script: string): Promise<void> {
    if (!this.opts.screenshotsDir || !this.page) return;
    const messages = JSON.parse(fs.readFileSync(path.join(this.opts.screenshotsDir, `${name}.messages.json`), 'utf8')) as unknown[];
    let frames = 0;
    const errors: string[] = [];
    for (const frame of this.page.frames()) {
      const ours = await frame.evaluate(`[...document.scripts].some((s) => s.src.endsWith(${JSON.stringify(`/media/${script}`)}))`).catch(() => false);
      // The page cannot reach the bridge once loaded (VS Code hides window.parent from it), so
      // post as its acquireVsCodeApi does: the host frame's __vscode_post_message__('onmessage', …).
      const host = frame.parentFrame();
      if (!ours || !host) continue;
      const posted = await host.evaluate(postScript(messages)).catch((err: Error) => {
        errors.push(`${host.url().slice(0, 80)}: ${err.message.slice(0, 200)}`);
        return false;
      });
      if (posted) frames++;
    }
    writeJsonAtomic(path.join(this.opts.screenshotsDir, `${name}.posted.json`), { frames, messages: messages.length, errors });
  }

  private async takeScreenshot(name: string): Promise<void> {
    if (!this.opts.screenshotsDir || !this.page) return void this.note(`screenshot ${name} requested but no screenshotsDir was given`);
    const file = path.join(this.opts.screenshotsDir, `${name}.png`);
    const tmp = `${file}.${process.pid}.tmp`;
    try {
      await this.page.screenshot({ path: tmp, type: 'png', timeout: 10_000 });
      fs.renameSync(tmp, file);
    } catch (err) {
      if (!this.closed) this.note(`screenshot ${name} failed: ${(err as Error).message}`);
      fs.rmSync(tmp, { force: true });
    }
  }

  serverTail(): string {
    const s = this.serverLog.join('');
    return s ? `--- code-server output (tail) ---\n${s.slice(-3000)}` : '';
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    live.delete(this);
    process.removeListener('exit', this.onProcessExit);
    await Promise.race([this.browser?.close().catch(() => undefined), sleep(5000)]);
    this.killServer();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

function writeJsonAtomic(file: string, value: unknown): void {
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(value, null, 1));
  fs.renameSync(`${file}.tmp`, file);
}

/**
 * Runs inside a frame of the page (as a string: this file is compiled without the DOM library):
 * what would show that note text became markup or ran.
 */
const READ_FRAME_DOM = `(() => {
  const marker = '__snPwned';
  const elements = [...document.querySelectorAll('*')];
  // An attribute or a script holding the payloads' marker means note text was parsed as HTML.
  // (Inert attributes such as title or aria-label may hold note text: set through the DOM, never parsed.)
  const live = /^(on|src$|href$|style$|srcdoc$|action$|formaction$|xlink:href$|content$)/i;
  const injected = elements
    .filter((e) => [...e.attributes].some((a) => a.name.includes(marker) || (live.test(a.name) && a.value.includes(marker))) || (/^(SCRIPT|STYLE)$/.test(e.tagName) && (e.textContent || '').includes(marker)))
    .map((e) => e.outerHTML.slice(0, 200));
  const handlers = elements.filter((e) => [...e.attributes].some((a) => /^on/i.test(a.name))).map((e) => e.outerHTML.slice(0, 200));
  const hovers = [...document.querySelectorAll('.monaco-hover')].map((h) => ({
    text: h.innerText.slice(0, 4000),
    links: [...h.querySelectorAll('a')].map((a) => a.getAttribute('href') || a.getAttribute('data-href') || ''),
    images: [...h.querySelectorAll('img')].map((i) => i.getAttribute('src') || ''),
  }));
  const csp = document.querySelector('meta[http-equiv="Content-Security-Policy"]');
  return {
    url: location.href,
    title: document.title,
    csp: csp ? csp.getAttribute('content') : null,
    scripts: [...document.scripts].map((s) => ({ src: s.src, nonce: !!(s.nonce || s.getAttribute('nonce')), inline: s.src ? '' : (s.textContent || '').slice(0, 200) })),
    stylesheets: [...document.querySelectorAll('link')].map((l) => l.getAttribute('href') || ''),
    styles: [...document.querySelectorAll('style')].map((e) => e.id || '(no id)'),
    risky: [...document.querySelectorAll('iframe, object, embed, form, base, meta[http-equiv="refresh" i], a[href^="javascript:" i], img')].map((e) => e.outerHTML.slice(0, 200)),
    injected,
    handlers,
    hovers,
    // Checkboxes the workbench draws itself (walkthrough steps): their label and state.
    checkboxes: [...document.querySelectorAll('[role="checkbox"]')].map((e) => ({ label: e.getAttribute('aria-label') || '', checked: e.getAttribute('aria-checked') === 'true' })),
    pwned: window[marker] === undefined ? null : window[marker],
    text: document.body ? document.body.innerText.slice(0, 20000) : '',
  };
})()`;

/** Run in a webview's host frame: posts messages as coming from its page. */
function postScript(messages: unknown[]): string {
  return `(() => {
  for (const message of ${JSON.stringify(messages)}) window.__vscode_post_message__('onmessage', { message });
  return true;
})()`;
}

/**
 * Runs an extension test suite (opts.extensionTestsPath) in the real extension host. Resolves with
 * the mocha run's exit code (0 = all passed) and every log line of the host. A run that has not
 * finished after timeoutMs (start-up included) is stopped and reported with exitCode 124 and a
 * "[harness] TIMEOUT" line (plus <screenshotsDir>/timeout.png). Throws when the host cannot start
 * (e.g. tools missing: run `bash scripts/setup-host.sh`).
 */
export async function runExtensionTests(opts: HostRunOptions): Promise<{ exitCode: number; logs: string[] }> {
  if (!opts.extensionTestsPath) throw new Error('runExtensionTests needs extensionTestsPath');
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const s = new Session(opts);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), timeoutMs)));
  try {
    const starting = s.start().then(() => 'started' as const);
    starting.catch(() => undefined); // a start-up cut short by the timeout must not become an unhandled rejection
    const started = await Promise.race([starting, timedOut]);
    const result = started === 'timeout' ? 'timeout' : await Promise.race([s.exit, timedOut]);
    if (result === 'timeout') {
      s.note(`TIMEOUT: the extension tests did not finish within ${timeoutMs} ms (${started === 'timeout' ? 'still starting' : 'tests running'}); stopping VS Code`);
      if (opts.screenshotsDir && s.page) await Promise.race([s.page.screenshot({ path: path.join(opts.screenshotsDir, 'timeout.png') }).catch(() => undefined), sleep(5000)]);
      return { exitCode: TIMEOUT_EXIT_CODE, logs: s.logs };
    }
    if (result !== 0) {
      const lost = s.lostUserSettings();
      if (lost) s.note(lost);
    }
    return { exitCode: result, logs: s.logs };
  } finally {
    clearTimeout(timer);
    await s.close();
  }
}

/**
 * Opens the workbench (optionally with an extension under development) and runs fn on the page,
 * for UI-driven tests: type in the Command Palette (runCommandFromPalette), read the DOM,
 * page.screenshot(). Rejects with a "TIMEOUT" error when start-up plus fn take longer than
 * timeoutMs (default 300 000 ms; a <screenshotsDir>/timeout.png is saved first when possible).
 * Everything is torn down when it settles, whichever way.
 */
export async function withWorkbench<T>(opts: HostRunOptions, fn: (page: Page) => Promise<T>): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const s = new Session(opts);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`TIMEOUT: withWorkbench did not finish within ${timeoutMs} ms; stopping VS Code`)), timeoutMs);
  });
  const work = (async () => {
    await s.start();
    await s.page!.waitForSelector('.monaco-workbench', { timeout: 60_000 });
    return fn(s.page!);
  })();
  work.catch(() => undefined); // still running when the timeout wins: its rejection (browser closed) is expected
  try {
    return await Promise.race([work, timedOut]);
  } catch (err) {
    if (String((err as Error).message).startsWith('TIMEOUT')) {
      s.note((err as Error).message);
      if (opts.screenshotsDir && s.page) await Promise.race([s.page.screenshot({ path: path.join(opts.screenshotsDir, 'timeout.png') }).catch(() => undefined), sleep(5000)]);
    }
    throw err;
  } finally {
    clearTimeout(timer);
    await s.close();
  }
}

/**
 * Runs a command through the Command Palette as a user would (F1, type its title, Enter).
 * Retries because right after start-up the palette may open before extension contributions are
 * known or before the workbench has keyboard focus.
 */
export async function runCommandFromPalette(page: Page, title: string, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  const input = page.locator('.quick-input-widget input');
  for (let attempt = 1; ; attempt++) {
    try {
      await page.locator('.monaco-workbench').click({ position: { x: 700, y: 400 }, timeout: 5_000 }).catch(() => undefined);
      await page.keyboard.press('Escape');
      await page.keyboard.press('F1');
      await input.waitFor({ state: 'visible', timeout: 5_000 });
      await input.fill(`>${title}`);
      await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: title }).waitFor({ timeout: 4_000 });
      await page.keyboard.press('Enter');
      return;
    } catch (err) {
      if (Date.now() > end) throw new Error(`could not run "${title}" from the Command Palette after ${attempt} attempts: ${(err as Error).message}`);
      await sleep(500);
    }
  }
}
