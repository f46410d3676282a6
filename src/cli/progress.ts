// A one-line progress bar on a terminal; silent when the stream is not a TTY (CI logs, pipes).

export class ProgressBar {
  private last = 0;
  private shown = false;

  constructor(private readonly out: NodeJS.WriteStream) {}

  update(label: string, done: number, total: number): void {
    if (!this.out.isTTY) return;
    const now = Date.now();
    if (now - this.last < 80 && done < total) return;
    this.last = now;
    const width = 30;
    const frac = total > 0 ? Math.min(1, done / total) : 0;
    const filled = Math.round(frac * width);
    const bar = total > 0 ? `[${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${done}/${total}` : '';
    this.out.write(`\r\x1b[2K${label} ${bar}`);
    this.shown = true;
  }

  done(): void {
    if (this.shown) this.out.write('\r\x1b[2K');
    this.shown = false;
  }
}
