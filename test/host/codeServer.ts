// Runs VS Code for real: code-server 4.100.3 (VS Code 1.100.3) on loopback, driven by Debian's
// Chromium through playwright-core. Extension tests run inside its extension host through VS
// Code's own test payload (extensionDevelopmentPath + extensionTestsPath in the workbench URL);
// the workbench reports the mocha run's exit code through codeAutomationExit.
//
// Screenshots from inside the host: a test there cannot reach the browser, so it logs the line
// "@@screenshot <name>" (see suite/screenshot.ts); this side sees it in codeAutomationLog, saves
// page.screenshot() to <screenshotsDir>/<name>.png, and the test waits for that file.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export interface HostRunOptions {
  extensionDevelopmentPath?: string;
  extensionTestsPath?: string;
  workspaceFolder: string;
  screenshotsDir?: string;
  timeoutMs?: number;
  env?: Record<string, string>;
  installVsix?: string;
  settings?: Record<string, unknown>;
}

const repoRoot = path.resolve(__dirname, '..', '..', '..');
export const codeServerBin = path.join(repoRoot, '.tools', 'code-server', 'node_modules', '.bin', 'code-server');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function checkHostInstalled(): void {
  if (!fs.existsSync(codeServerBin) || !fs.existsSync(CHROMIUM)) {
    throw new Error(`code-server or Chromium is missing: run "bash scripts/setup-host.sh" first (looked for ${codeServerBin} and ${CHROMIUM})`);
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitForHttp(url: string, ms: number, proc: ChildProcess): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (proc.exitCode !== null) throw new Error(`code-server exited with ${proc.exitCode}`);
    try {
      const r = await fetch(url);
      if (r.status < 500) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`code-server did not answer at ${url} within ${ms} ms`);
}

interface Host {
  page: Page;
  url: string;
  logs: string[];
  exit: Promise<number>;
  close: () => Promise<void>;
}

async function startHost(opts: HostRunOptions): Promise<Host> {
  checkHostInstalled();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sn-host-'));
  const userData = path.join(dir, 'user-data');
  const extensions = path.join(dir, 'extensions');
  fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
  fs.mkdirSync(extensions);
  fs.writeFileSync(path.join(dir, 'config.yaml'), 'auth: none\n');
  fs.writeFileSync(path.join(userData, 'User', 'settings.json'), JSON.stringify({ 'workbench.startupEditor': 'none', 'security.workspace.trust.enabled': false, 'telemetry.telemetryLevel': 'off', 'extensions.autoUpdate': false, ...opts.settings }, null, 1));
  const baseArgs = ['--auth', 'none', '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--config', path.join(dir, 'config.yaml'), '--user-data-dir', userData, '--extensions-dir', extensions];
  const env = { ...process.env, ...opts.env };
  if (opts.installVsix) {
    await new Promise<void>((resolve, reject) => {
      const p = spawn(codeServerBin, [...baseArgs, '--install-extension', opts.installVsix!], { env, stdio: 'inherit' });
      p.on('exit', (c) => (c === 0 ? resolve() : reject(new Error(`installing ${opts.installVsix} failed (${c})`))));
    });
  }
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const proc = spawn(codeServerBin, [...baseArgs, '--bind-addr', host], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const serverLog: string[] = [];
  proc.stdout!.on('data', (d) => serverLog.push(String(d)));
  proc.stderr!.on('data', (d) => serverLog.push(String(d)));
  let browser: Browser | null = null;
  const close = async () => {
    await browser?.close().catch(() => undefined);
    try {
      process.kill(-proc.pid!, 'SIGKILL');
    } catch {
      /* already gone */
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForHttp(`http://${host}/healthz`, 30_000, proc);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const logs: string[] = [];
    let resolveExit: (code: number) => void = () => {};
    const exit = new Promise<number>((r) => (resolveExit = r));
    await page.exposeFunction('codeAutomationExit', (code: number) => resolveExit(Number(code)));
    await page.exposeFunction('codeAutomationLog', async (type: string, args: unknown[]) => {
      const line = (Array.isArray(args) ? args : [args]).map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ');
      logs.push(line);
      process.stdout.write(`[host ${type}] ${line}\n`);
      const m = /@@screenshot (\S+)/.exec(line);
      if (m && opts.screenshotsDir) {
        fs.mkdirSync(opts.screenshotsDir, { recursive: true });
        const file = path.join(opts.screenshotsDir, `${m[1].replace(/[^\w.-]/g, '_')}.png`);
        await page.screenshot({ path: `${file}.tmp.png` });
        fs.renameSync(`${file}.tmp.png`, file);
      }
    });
    const payload: [string, string][] = [['skipWelcome', 'true']];
    if (opts.extensionDevelopmentPath) payload.push(['extensionDevelopmentPath', `vscode-remote://${host}${path.resolve(opts.extensionDevelopmentPath)}`]);
    if (opts.extensionTestsPath) payload.push(['extensionTestsPath', `vscode-remote://${host}${path.resolve(opts.extensionTestsPath)}`]);
    const url = `http://${host}/?folder=${encodeURIComponent(path.resolve(opts.workspaceFolder))}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    await page.goto(url);
    return { page, url, logs, exit, close };
  } catch (err) {
    await close();
    throw new Error(`${(err as Error).message}\n${serverLog.join('').slice(-2000)}`);
  }
}

/** Runs an extension test suite in the real extension host; resolves with mocha's exit code. */
export async function runExtensionTests(opts: HostRunOptions): Promise<{ exitCode: number; logs: string[] }> {
  const host = await startHost(opts);
  const timeoutMs = opts.timeoutMs ?? 300_000;
  let timer: NodeJS.Timeout | undefined;
  try {
    const exitCode = await Promise.race([
      host.exit,
      new Promise<number>((resolve) => (timer = setTimeout(() => {
        process.stdout.write(`[harness] the extension tests did not finish within ${timeoutMs} ms\n`);
        resolve(124);
      }, timeoutMs))),
    ]);
    if (exitCode === 124 && opts.screenshotsDir) await host.page.screenshot({ path: path.join(opts.screenshotsDir, 'timeout.png') }).catch(() => undefined);
    return { exitCode, logs: host.logs };
  } finally {
    clearTimeout(timer);
    await host.close();
  }
}

/** Opens the workbench (optionally with an extension under development) for UI-driven checks. */
export async function withWorkbench<T>(opts: HostRunOptions, fn: (page: Page) => Promise<T>): Promise<T> {
  const host = await startHost(opts);
  try {
    await host.page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
    return await fn(host.page);
  } finally {
    await host.close();
  }
}
