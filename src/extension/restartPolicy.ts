// When the background service dies: restart it after a capped exponential backoff, but stop after
// repeated fast crashes (a service that dies at start would otherwise be restarted forever) and
// say why; the user's Restart starts a fresh count. vscode-eslint's client does the same (five
// crashes in three minutes). No vscode import, so the policy is tested headless
// (test/extension/restartPolicy.test.ts).

export type CrashVerdict = { restart: true; delayMs: number } | { restart: false; reason: string };

export interface RestartPolicyOptions {
  firstBackoffMs: number;
  maxBackoffMs: number;
  /** A service that stayed up this long is healthy again: the next crash restarts it quickly. */
  healthyAfterMs: number;
  /** Crashes in a row, each before the service was healthy, after which it is not restarted. */
  maxFastCrashes: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicyOptions = { firstBackoffMs: 1_000, maxBackoffMs: 30_000, healthyAfterMs: 60_000, maxFastCrashes: 5 };

export class RestartPolicy {
  /** Crashes in a row that came before the service was healthy. */
  private fastCrashes = 0;
  /** Crashes since the service was last healthy (the backoff's exponent). */
  private crashes = 0;
  private startedAt = 0;

  constructor(private readonly opts: RestartPolicyOptions = DEFAULT_RESTART_POLICY) {}

  /** Whether the next start is a restart after a crash. */
  get restarting(): boolean {
    return this.crashes > 0;
  }

  /** The user asked for a restart: a full set of attempts again. */
  reset(): void {
    this.fastCrashes = 0;
    this.crashes = 0;
  }

  started(now: number): void {
    this.startedAt = now;
  }

  /** What to do about a crash at `now`; `why` is the exit code or signal, for the reason. */
  crashed(now: number, why: string): CrashVerdict {
    if (now - this.startedAt >= this.opts.healthyAfterMs) {
      // It had been running well: restart at once, and count anew.
      this.fastCrashes = 0;
      this.crashes = 1;
      return { restart: true, delayMs: this.opts.firstBackoffMs };
    }
    this.fastCrashes++;
    this.crashes++;
    if (this.fastCrashes >= this.opts.maxFastCrashes) {
      const within = Math.round(this.opts.healthyAfterMs / 1000);
      return { restart: false, reason: `the service stopped ${this.fastCrashes} times in a row within ${within} s of starting (last: ${why}), so it is not restarted again` };
    }
    return { restart: true, delayMs: Math.min(this.opts.maxBackoffMs, this.opts.firstBackoffMs * 2 ** (this.crashes - 1)) };
  }
}
