// A measured window after a warm-up: operations that finish inside it are counted, the rest are
// not. Counting by finish time gives the steady-state rate even when operations take long.
import { markWindow } from './jobs.ts';

export class MeasuredWindow {
  phase: 'warmup' | 'measure' | 'done' = 'warmup';
  private measureStart = 0;
  private measureEnd = 0;
  readonly finished: Promise<void>;
  readonly latencies: number[] = [];
  completed = 0;
  errors = 0;
  readonly errorSamples: string[] = [];

  constructor(warmupSec: number, durationSec: number) {
    this.finished = new Promise((resolve) => {
      setTimeout(() => {
        this.phase = 'measure';
        this.measureStart = performance.now();
        markWindow('start');
        setTimeout(() => {
          this.phase = 'done';
          this.measureEnd = performance.now();
          markWindow('end');
          resolve();
        }, durationSec * 1000);
      }, warmupSec * 1000);
    });
  }

  get running(): boolean {
    return this.phase !== 'done';
  }

  success(latencyMs: number): void {
    if (this.phase !== 'measure') return;
    this.completed++;
    this.latencies.push(latencyMs);
  }

  failure(error: unknown): void {
    if (this.phase !== 'measure') return;
    this.errors++;
    if (this.errorSamples.length < 5) this.errorSamples.push((error as Error).message ?? String(error));
  }

  get durationSec(): number {
    return (this.measureEnd - this.measureStart) / 1000;
  }
}
