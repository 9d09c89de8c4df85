import { MINER_OPTIONS, parseMinerConfig } from '@resi/miner';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { addMinerOptions } from './miner.js';

describe('resi miner options', () => {
  it('reaches the miner config under every documented flag, dashed ones included', async () => {
    const command = new Command('miner').exitOverride();
    const minerValues = addMinerOptions(command);
    let captured: Record<string, unknown> = {};
    command.action((values: Record<string, unknown>) => {
      captured = minerValues(values);
    });
    await command.parseAsync(
      [
        '--api.url',
        'http://127.0.0.1:3000',
        '--realtor.url',
        'http://127.0.0.1:9/graphql',
        '--realtor.suggest-url',
        'http://127.0.0.1:9/suggest',
        '--realtor.sold-days',
        '30',
        '--zillow.max-pages',
        '3',
        '--source.user-agent',
        'resi-test',
      ],
      { from: 'user' },
    );
    const config = parseMinerConfig(captured, {});
    expect(config.realtor).toEqual({
      url: 'http://127.0.0.1:9/graphql',
      suggestUrl: 'http://127.0.0.1:9/suggest',
      soldDays: 30,
    });
    expect(captured['zillow.max-pages']).toBe('3');
    expect(captured['source.user-agent']).toBe('resi-test');
  });

  it('registers one option per documented miner option', () => {
    const command = new Command('miner');
    addMinerOptions(command);
    expect(command.options.map((o) => o.long)).toEqual(MINER_OPTIONS.map((o) => `--${o.flag}`));
  });
});
