import { describe, expect, it } from 'vitest';
import { ConfigError, parseApiEnv, subtensorTargetOf } from './config.js';

describe('METAGRAPH_SOURCE=chain configuration', () => {
  it('defaults to finney and subnet 46, synced every five minutes', () => {
    const sut = parseApiEnv({ METAGRAPH_SOURCE: 'chain' });
    expect(sut.METAGRAPH_SYNC_SECONDS).toBe(300);
    expect(subtensorTargetOf(sut)).toEqual({
      network: 'finney',
      endpoint: 'wss://entrypoint-finney.opentensor.ai:443',
      netuid: 46,
    });
  });

  it('takes the testnet preset, an endpoint override and an explicit NETUID', () => {
    expect(subtensorTargetOf(parseApiEnv({ METAGRAPH_SOURCE: 'chain', SUBTENSOR_NETWORK: 'test' })).netuid).toBe(428);
    const local = parseApiEnv({
      METAGRAPH_SOURCE: 'chain',
      SUBTENSOR_NETWORK: 'local',
      SUBTENSOR_CHAIN_ENDPOINT: 'ws://127.0.0.1:9945',
      NETUID: '2',
      METAGRAPH_SYNC_SECONDS: '30',
    });
    expect(subtensorTargetOf(local)).toEqual({ network: 'local', endpoint: 'ws://127.0.0.1:9945', netuid: 2 });
    expect(local.METAGRAPH_SYNC_SECONDS).toBe(30);
  });

  it('fails at start with a sentence naming the variables when the chain settings do not fit', () => {
    expect(() => parseApiEnv({ METAGRAPH_SOURCE: 'chain', SUBTENSOR_NETWORK: 'local' })).toThrow(ConfigError);
    expect(() => parseApiEnv({ METAGRAPH_SOURCE: 'chain', SUBTENSOR_NETWORK: 'local' })).toThrow(
      /SUBTENSOR_NETWORK \/ SUBTENSOR_CHAIN_ENDPOINT \/ NETUID: a netuid is required/,
    );
    expect(() => parseApiEnv({ SUBTENSOR_CHAIN_ENDPOINT: 'http://node:9944' })).toThrow(
      /SUBTENSOR_CHAIN_ENDPOINT: must be a ws/,
    );
    expect(() => parseApiEnv({ NETUID: '70000' })).toThrow(/NETUID/);
    // The file source ignores the chain settings' combination.
    expect(parseApiEnv({ SUBTENSOR_NETWORK: 'local' }).METAGRAPH_SOURCE).toBe('file');
  });
});
