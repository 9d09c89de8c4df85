import type { LogLevel } from '@nestjs/common';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiLogger } from './api-logger.js';

describe('ApiLogger', () => {
  afterEach(() => vi.restoreAllMocks());

  function printed(levels: LogLevel[], context: string): string {
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (lines.push(String(chunk)), true));
    new ApiLogger({ logLevels: levels, colors: false }).log('Mapped {/healthcheck, GET} route', context);
    vi.restoreAllMocks();
    return lines.join('');
  }

  it("keeps Nest's start-up narration out of info, and shows it at debug", () => {
    for (const context of ['NestFactory', 'InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestApplication'])
      expect(printed(['fatal', 'error', 'warn', 'log'], context)).toBe('');
    expect(printed(['fatal', 'error', 'warn', 'log', 'debug'], 'RouterExplorer')).toContain('DEBUG [RouterExplorer]');
  });

  it("prints the API's own lines at info", () => {
    expect(printed(['fatal', 'error', 'warn', 'log'], 'Epochs')).toContain('LOG [Epochs] Mapped');
  });
});
