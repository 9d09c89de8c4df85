import { Injectable } from '@nestjs/common';

/** The one source of "now" in the API, so tests can move time. */
@Injectable()
export class ClockRepository {
  now(): Date {
    return new Date();
  }
  nowSeconds(): number {
    return Math.floor(this.now().getTime() / 1000);
  }
}

/** A clock tests can set and advance. */
export class FixedClock extends ClockRepository {
  constructor(private current: Date) {
    super();
  }
  override now(): Date {
    return new Date(this.current);
  }
  set(to: Date): void {
    this.current = new Date(to);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

/** Real time moved by an offset tests can change: the API runs in real time until a test jumps. */
export class ShiftedClock extends ClockRepository {
  offsetMs = 0;
  override now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
}
