// One model pass at a time, interactive work first. ONNX Runtime already uses every core for a
// single run, so running passes concurrently only adds contention; queuing them lets a search
// query overtake the remaining batches of a long indexing job instead of waiting behind them.

export type Priority = 'interactive' | 'background';

interface Job<T> {
  run: () => Promise<T>;
  resolve: (v: T) => void;
  reject: (e: unknown) => void;
}

export class ModelScheduler {
  private readonly interactive: Job<unknown>[] = [];
  private readonly background: Job<unknown>[] = [];
  private busy = false;

  schedule<T>(priority: Priority, run: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const job = { run, resolve, reject } as Job<unknown>;
      (priority === 'interactive' ? this.interactive : this.background).push(job);
      this.pump();
    });
  }

  get pending(): number {
    return this.interactive.length + this.background.length + (this.busy ? 1 : 0);
  }

  private pump(): void {
    if (this.busy) return;
    const job = this.interactive.shift() ?? this.background.shift();
    if (!job) return;
    this.busy = true;
    job.run().then(job.resolve, job.reject).finally(() => {
      this.busy = false;
      this.pump();
    });
  }
}
