import { describe, expect, it } from 'vitest';
import { createLogger } from '@resi/client';
import { MinerMetrics } from './metrics.js';
import { TerminalProgress } from './progress.js';

const at = () => new Date('2025-10-01T16:05:00.000Z');

describe('createLogger', () => {
  it('writes one JSON object per line, errors as their message, below the level dropped', () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'info', json: true, sink: { write: (line) => lines.push(line) }, now: at });
    log.info('zipcode finished', { zipcode: '19103', listings: 12 });
    log.warn('upload failed', { error: new Error('HTTP 503') });
    log.debug('hidden');
    expect(lines.map((line) => JSON.parse(line) as unknown)).toEqual([
      { time: '2025-10-01T16:05:00.000Z', level: 'info', msg: 'zipcode finished', zipcode: '19103', listings: 12 },
      { time: '2025-10-01T16:05:00.000Z', level: 'warn', msg: 'upload failed', error: 'HTTP 503' },
    ]);
  });

  it('writes readable lines for a terminal, clearing the progress bar first', () => {
    const events: string[] = [];
    const log = createLogger({
      level: 'debug',
      json: false,
      sink: { write: (line) => events.push(line), beforeWrite: () => events.push('<clear>') },
      now: at,
    });
    log.info('epoch assigned', { epochId: '2025-10-01T16-00-00', note: 'two words' });
    expect(events).toEqual(['<clear>', '16:05:00 info  epoch assigned epochId=2025-10-01T16-00-00 note="two words"\n']);
  });
});

describe('TerminalProgress', () => {
  it('shows zipcodes done of total, listings and the zipcodes in flight', () => {
    const written: string[] = [];
    const progress = new TerminalProgress({ write: (text) => (written.push(text), true), columns: 200 });
    progress.epochStarted('2025-10-01T16-00-00', 4, 1, 30);
    progress.zipcodeFinished('19103', 20);
    progress.zipcodeProgress('19104', 2, 150);
    expect(progress.render()).toBe(
      '2025-10-01T16-00-00 [############............] 2/4 zipcodes, 50 listings, collecting | 19104 p2 150',
    );
    expect(written.at(-1)!.startsWith('\r\u001b[2K2025-10-01T16-00-00 [')).toBe(true);
  });

  it('fits the terminal width', () => {
    const progress = new TerminalProgress({ write: () => true, columns: 40 });
    progress.epochStarted('2025-10-01T16-00-00', 25, 0, 0);
    expect(progress.render().length).toBeLessThanOrEqual(39);
  });
});

describe('MinerMetrics', () => {
  it('serves its counters on /metrics in Prometheus text format', async () => {
    const metrics = new MinerMetrics({ defaultMetrics: false });
    metrics.listingsCollected.inc({ source: 'realtor' }, 42);
    metrics.listingsRejected.inc({ source: 'realtor', reason: 'invalid_price' });
    metrics.uploadBytes.inc(1_024);
    metrics.apiLatency.observe({ route: 'status', status: '200' }, 0.12);
    const served = await metrics.serve('127.0.0.1', 0);
    try {
      const response = await fetch(served.url);
      const text = await response.text();
      expect(response.status).toBe(200);
      expect(text).toContain('resi_miner_listings_collected_total{source="realtor"} 42');
      expect(text).toContain('resi_miner_listings_rejected_total{source="realtor",reason="invalid_price"} 1');
      expect(text).toContain('resi_miner_upload_bytes_total 1024');
      expect(text).toContain('resi_miner_api_request_duration_seconds_count{route="status",status="200"} 1');
      expect((await fetch(served.url.replace('/metrics', '/other'))).status).toBe(404);
    } finally {
      await served.close();
    }
  });
});
