/** What the daemon tells a progress display while collecting an epoch. */
export interface ProgressDisplay {
  epochStarted(epochId: string, zipcodes: number, alreadyFinished: number, alreadyCollected: number): void;
  zipcodeProgress(zipcode: string, pages: number, listings: number): void;
  zipcodeFinished(zipcode: string, listings: number): void;
  phase(text: string): void;
  stop(): void;
}

/** No display: with JSON logs the log lines carry the same information. */
export const noProgressDisplay: ProgressDisplay = {
  epochStarted: () => {},
  zipcodeProgress: () => {},
  zipcodeFinished: () => {},
  phase: () => {},
  stop: () => {},
};

interface TerminalStream {
  write(text: string): boolean;
  readonly columns?: number;
}

const BAR_WIDTH = 24;

/**
 * A one-line progress bar on a terminal: the epoch's zipcodes done out of total with a bar, the
 * listings so far, and the zipcodes being worked on with their page and listing counts. Redrawn
 * at most ten times a second; `clearLine` lets log lines print above it.
 */
export class TerminalProgress implements ProgressDisplay {
  private epochId = '';
  private total = 0;
  private finished = 0;
  private listings = 0;
  private readonly active = new Map<string, { pages: number; listings: number }>();
  private note = '';
  private lastDrawMs = 0;
  private drawn = false;

  constructor(private readonly stream: TerminalStream) {}

  epochStarted(epochId: string, zipcodes: number, alreadyFinished: number, alreadyCollected: number): void {
    this.epochId = epochId;
    this.total = zipcodes;
    this.finished = alreadyFinished;
    this.listings = alreadyCollected;
    this.active.clear();
    this.note = 'collecting';
    this.draw(true);
  }

  zipcodeProgress(zipcode: string, pages: number, listings: number): void {
    this.active.set(zipcode, { pages, listings });
    this.draw(false);
  }

  zipcodeFinished(zipcode: string, listings: number): void {
    this.active.delete(zipcode);
    this.finished += 1;
    this.listings += listings;
    this.draw(true);
  }

  phase(text: string): void {
    this.note = text;
    this.draw(true);
  }

  /** Erases the bar so another line can be written in its place. */
  clearLine(): void {
    if (this.drawn) this.stream.write('\r\x1b[2K');
    this.drawn = false;
  }

  /** Redraws the bar after a log line. */
  redraw(): void {
    if (this.epochId) this.draw(true);
  }

  stop(): void {
    this.clearLine();
    this.epochId = '';
  }

  /** The bar's text, without terminal control codes. */
  render(): string {
    const ratio = this.total === 0 ? 1 : this.finished / this.total;
    const filled = Math.round(ratio * BAR_WIDTH);
    const working = [...this.active.entries()]
      .slice(0, 3)
      .map(([zipcode, state]) => `${zipcode} p${state.pages} ${state.listings}`)
      .join(', ');
    const line =
      `${this.epochId} [${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ` +
      `${this.finished}/${this.total} zipcodes, ${this.listings} listings, ${this.note}` +
      (working ? ` | ${working}` : '');
    const width = this.stream.columns ?? 120;
    return line.length > width - 1 ? `${line.slice(0, width - 2)}…` : line;
  }

  private draw(force: boolean): void {
    const now = Date.now();
    if (!force && now - this.lastDrawMs < 100) return;
    this.lastDrawMs = now;
    this.stream.write(`\r\x1b[2K${this.render()}`);
    this.drawn = true;
  }
}
