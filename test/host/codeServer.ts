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
// screenshot(name) from suite/screenshot.ts, which logs the line "@@screenshot <name>". We see it
// in codeAutomationLog, save page.screenshot() to <screenshotsDir>/<name>.png (temp name, then
// rename) and the test polls until the file exists. screenshotsDir reaches the host as the env
// variable SEMANTIC_NOTES_SCREENSHOTS (set here automatically).
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

export interface HostRunOptions {
  /** Folder of the extension under development (its package.json). */
  extensionDevelopmentPath?: string;
  /** Compiled JS module exporting run(): Promise<void> (e.g. out/test/host/suite/index.js). */
  extensionTestsPath?: string;
  /** Folder opened in the workbench. */
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
}

export const repoRoot = path.resolve(__dirname, '..', '..', '..');
export const codeServerBin = process.env.CODE_SERVER_PATH ?? path.join(repoRoot, '.tools', 'code-server', 'node_modules', '.bin', 'code-server');
export const chromiumBin = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/** Exit code reported when the run does not finish within timeoutMs. */
export const TIMEOUT_EXIT_CODE = 124;

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

/** One code-server + browser; every resource is registered as soon as it exists so close() can always clean up. */
class Session {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sn-host-'));
  proc: ChildProcess | null = null;
  browser: Browser | null = null;
  page: Page | null = null;
  serverLog: string[] = [];
  logs: string[] = [];
  private closed = false;
  private resolveExit: (code: number) => void = () => undefined;
  /** Resolves with the extension host's test exit code (or ≠ 0 when code-server dies first). */
  exit = new Promise<number>((r) => (this.resolveExit = r));
  private readonly onProcessExit = () => this.killServer();

  constructor(readonly opts: HostRunOptions) {
    process.once('exit', this.onProcessExit);
  }

  note(line: string): void {
    this.logs.push(line);
    process.stdout.write(`[harness] ${line}\n`);
  }

  private killServer(): void {
    const pid = this.proc?.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      /* already gone */
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
      'security.workspace.trust.enabled': false,
      'telemetry.telemetryLevel': 'off',
      'update.mode': 'none',
      'extensions.autoUpdate': false,
      'extensions.autoCheckUpdates': false,
      ...opts.settings,
    };
    fs.writeFileSync(path.join(userData, 'User', 'settings.json'), JSON.stringify(settings, null, 1));
    const baseArgs = ['--auth', 'none', '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--config', config, '--user-data-dir', userData, '--extensions-dir', extensions];
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

    const port = await freePort();
    const host = `127.0.0.1:${port}`;
    const proc = spawn(codeServerBin, [...baseArgs, '--bind-addr', host, '--ignore-last-opened'], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    this.proc = proc;
    proc.stdout!.on('data', (d) => this.serverLog.push(String(d)));
    proc.stderr!.on('data', (d) => this.serverLog.push(String(d)));
    proc.on('exit', (code, signal) => {
      if (!this.closed) {
        this.note(`code-server exited unexpectedly (${code ?? signal})\n${this.serverTail()}`);
        this.resolveExit(code || 1);
      }
    });

    const deadline = Date.now() + 30_000;
    for (;;) {
      if (this.closed || proc.exitCode !== null) throw new Error(`code-server stopped before answering\n${this.serverTail()}`);
      try {
        const r = await fetch(`http://${host}/healthz`);
        if (r.ok) break;
      } catch {
        /* not up yet */
      }
      if (Date.now() > deadline) throw new Error(`code-server did not answer at http://${host} within 30 s\n${this.serverTail()}`);
      await sleep(150);
    }

    this.browser = await chromium.launch({ executablePath: chromiumBin, args: CHROMIUM_ARGS });
    if (this.closed) throw new Error('closed during start-up');
    const page = await this.browser.newPage({ viewport: { width: 1400, height: 900 } });
    this.page = page;
    await page.exposeFunction('codeAutomationExit', (code: number) => this.resolveExit(Number(code)));
    await page.exposeFunction('codeAutomationLog', (type: string, args: unknown) => this.onHostLog(type, args));

    const payload: [string, string][] = [['skipWelcome', 'true']];
    if (opts.extensionDevelopmentPath) payload.push(['extensionDevelopmentPath', `vscode-remote://${host}${path.resolve(opts.extensionDevelopmentPath)}`]);
    if (opts.extensionTestsPath) payload.push(['extensionTestsPath', `vscode-remote://${host}${path.resolve(opts.extensionTestsPath)}`]);
    const url = `http://${host}/?folder=${encodeURIComponent(path.resolve(opts.workspaceFolder))}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    await page.goto(url, { timeout: 60_000 });
  }

  private async onHostLog(type: string, args: unknown): Promise<void> {
    // The host sends console arguments as they were given: apply printf-style formats ("%d passing").
    const list = Array.isArray(args) ? args : [args];
    const line = format(...list).replace(/\\t/g, '\t');
    this.logs.push(line);
    process.stdout.write(`[host ${type}] ${line}\n`);
    const m = /@@screenshot (\S+)/.exec(line);
    if (m) {
      if (!this.opts.screenshotsDir || !this.page) return void this.note(`screenshot ${m[1]} requested but no screenshotsDir was given`);
      const file = path.join(this.opts.screenshotsDir, `${m[1].replace(/[^\w.-]/g, '_')}.png`);
      const tmp = `${file}.${process.pid}.tmp.png`;
      try {
        await this.page.screenshot({ path: tmp });
        fs.renameSync(tmp, file);
      } catch (err) {
        this.note(`screenshot ${m[1]} failed: ${(err as Error).message}`);
      }
    }
  }

  serverTail(): string {
    const s = this.serverLog.join('');
    return s ? `--- code-server output (tail) ---\n${s.slice(-3000)}` : '';
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    process.removeListener('exit', this.onProcessExit);
    await Promise.race([this.browser?.close().catch(() => undefined), sleep(5000)]);
    this.killServer();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
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
  const timeoutMs = opts.timeoutMs ?? 300_000;
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
    return { exitCode: result, logs: s.logs };
  } finally {
    clearTimeout(timer);
    await s.close();
  }
}

/** Opens the workbench (optionally with an extension under development and tests) and runs fn on the page. */
export async function withWorkbench<T>(opts: HostRunOptions, fn: (page: Page) => Promise<T>): Promise<T> {
  const s = new Session(opts);
  try {
    await s.start();
    await s.page!.waitForSelector('.monaco-workbench', { timeout: 60_000 });
    return await fn(s.page!);
  } finally {
    await s.close();
  }
}
