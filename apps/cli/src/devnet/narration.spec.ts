import { describe, expect, it } from 'vitest';
import { narrationLine, narrator, resumedLine } from './narration.js';

describe('devnet narration', () => {
  it('names the epoch a line is about, or else the epoch running when it is said', () => {
    expect(narrationLine('2025-10-01T17-00-00', 'devnet-late frozen (SIGSTOP)')).toBe(
      '[devnet] [epoch 2025-10-01T17-00-00] devnet-late frozen (SIGSTOP)',
    );
    const printed: string[] = [];
    const say = narrator(
      () => '2025-10-01T17-03-00',
      (line) => printed.push(line),
    );
    say('devnet-late thawed (SIGCONT)', '2025-10-01T17-00-00');
    say('stopping…');
    expect(printed).toEqual([
      '[devnet] [epoch 2025-10-01T17-00-00] devnet-late thawed (SIGCONT)',
      '[devnet] [epoch 2025-10-01T17-03-00] stopping…',
    ]);
  });

  it('says what a resumed devnet reused and where each miner carries on, newest epoch first', () => {
    const line = resumedLine({
      home: '/tmp/devnet',
      reused: ['devnet-validator-1', 'devnet-miner-1', 'devnet-miner-2', 'devnet-late'],
      created: ['devnet-miner-3'],
      minerEpochs: new Map([
        ['devnet-miner-1', '2025-10-01T17-03-00'],
        ['devnet-miner-2', '2025-10-01T17-03-00'],
        ['devnet-late', '2025-10-01T17-00-00'],
        ['devnet-miner-3', undefined],
      ]),
    });
    expect(line).toBe(
      'resumed the devnet in /tmp/devnet: 4 wallets reused (devnet-validator-1, devnet-miner-1, devnet-miner-2, devnet-late); ' +
        'new wallets: devnet-miner-3; miners carry on from their state: devnet-miner-1, devnet-miner-2 last worked on ' +
        'epoch 2025-10-01T17-03-00; devnet-late last worked on epoch 2025-10-01T17-00-00; no work yet: devnet-miner-3',
    );
  });
});
