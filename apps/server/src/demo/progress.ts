/** A one-line progress bar for the terminal: redrawn in place on a TTY, an occasional line otherwise. */
export class ProgressBar {
  readonly #started = performance.now();
  #lastDraw = 0;
  #drawn = false;

  constructor(
    private readonly label: string,
    private readonly out: NodeJS.WriteStream = process.stderr,
  ) {}

  /** `done` of `total` (total 0 or unknown: no bar, no ETA); `detail` follows the bar. */
  update(done: number, total: number, detail = '', force = false): void {
    const now = performance.now();
    const tty = this.out.isTTY === true;
    if (!force && now - this.#lastDraw < (tty ? 100 : 5000)) return;
    this.#lastDraw = now;
    const seconds = (now - this.#started) / 1000;
    const fraction = total > 0 ? Math.min(1, done / total) : 0;
    const width = 24;
    const filled = Math.round(fraction * width);
    const bar = total > 0 ? `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${Math.floor(fraction * 100)}% ` : '';
    const eta =
      total > 0 && fraction > 0 && fraction < 1 ? ` · ETA ${duration((seconds / fraction) * (1 - fraction))}` : '';
    const line = `${this.label} ${bar}${detail}${eta} · ${duration(seconds)}`;
    if (tty) {
      this.out.write(`\r${line.slice(0, Math.max(20, (this.out.columns ?? 120) - 1))}\x1b[K`);
      this.#drawn = true;
    } else {
      this.out.write(`${line}\n`);
    }
  }

  /** Ends the line (keeping the last state visible). */
  done(): void {
    if (this.#drawn) this.out.write('\n');
    this.#drawn = false;
  }

  get seconds(): number {
    return (performance.now() - this.#started) / 1000;
  }
}

/** 1,234,567 */
export const num = (n: number) => Math.round(n).toLocaleString('en-US');

/** 850 ms, 12.3 s, 4 min 05 s */
export function duration(seconds: number): string {
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const m = Math.floor(seconds / 60);
  return `${m} min ${String(Math.floor(seconds % 60)).padStart(2, '0')} s`;
}
