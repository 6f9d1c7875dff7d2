/**
 * A one-line progress bar on standard error, redrawn at most 10 times a second, only on a terminal.
 * @module
 */
import type { CaptureProgress } from '../capture/types.ts';
import { groupDigits } from '../output/summary-text.ts';

export class ProgressBar {
  private last = 0;
  private readonly enabled: boolean;
  private drawn = false;

  constructor(enabled: boolean) {
    this.enabled = enabled && process.stderr.isTTY === true;
  }

  update(file: string, p: CaptureProgress, packets: number): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.last < 100) return;
    this.last = now;
    const frac = p.totalBytes > 0 ? Math.min(1, p.bytesRead / p.totalBytes) : 0;
    const width = 30;
    const done = Math.round(frac * width);
    const name = file.length > 40 ? '…' + file.slice(-39) : file;
    const bar = '█'.repeat(done) + '░'.repeat(width - done);
    process.stderr.write(`\r${bar} ${(frac * 100).toFixed(0).padStart(3)}%  ${groupDigits(packets)} packets  ${name}\x1b[K`);
    this.drawn = true;
  }

  clear(): void {
    if (this.drawn) process.stderr.write('\r\x1b[K');
    this.drawn = false;
  }
}
