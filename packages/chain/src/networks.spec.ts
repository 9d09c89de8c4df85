import { describe, expect, it } from 'vitest';
import { resolveSubtensorTarget } from './networks.js';

describe('resolveSubtensorTarget', () => {
  it('uses the network presets: finney is subnet 46, test is 428', () => {
    expect(resolveSubtensorTarget({})).toEqual({
      network: 'finney',
      endpoint: 'wss://entrypoint-finney.opentensor.ai:443',
      netuid: 46,
    });
    expect(resolveSubtensorTarget({ network: 'test' })).toEqual({
      network: 'test',
      endpoint: 'wss://test.finney.opentensor.ai:443',
      netuid: 428,
    });
  });

  it('lets an explicit endpoint and netuid win, and needs a netuid for local and custom chains', () => {
    expect(resolveSubtensorTarget({ network: 'local', netuid: 2 })).toEqual({
      network: 'local',
      endpoint: 'ws://127.0.0.1:9944',
      netuid: 2,
    });
    expect(resolveSubtensorTarget({ endpoint: 'ws://subtensor.internal:9944', netuid: 3 })).toEqual({
      network: 'custom',
      endpoint: 'ws://subtensor.internal:9944',
      netuid: 3,
    });
    expect(resolveSubtensorTarget({ network: 'finney', endpoint: 'wss://archive.example:443' }).netuid).toBe(46);
    expect(() => resolveSubtensorTarget({ network: 'local' })).toThrow(/netuid is required/);
    expect(() => resolveSubtensorTarget({ endpoint: 'ws://127.0.0.1:9944' })).toThrow(/netuid is required/);
  });

  it('refuses unknown networks, non-websocket endpoints and netuids outside u16', () => {
    expect(() => resolveSubtensorTarget({ network: 'mainnet' })).toThrow(/unknown subtensor network/);
    expect(() => resolveSubtensorTarget({ endpoint: 'https://node', netuid: 1 })).toThrow(/ws:\/\//);
    expect(() => resolveSubtensorTarget({ network: 'test', netuid: 70_000 })).toThrow(/u16/);
  });
});
