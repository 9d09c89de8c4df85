import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { parseOptionValues } from './option-values.js';

const options = [
  { flag: 'netuid', env: 'NETUID', defaultText: '46 (428 with test)' },
  { flag: 'poll', env: 'POLL', defaultText: '30' },
  { flag: 'burn.share', env: 'BURN_SHARE' },
  { flag: 'metrics.port' },
];
const schema = z.object({
  netuid: z.coerce.number().int().positive().optional(),
  poll: z.coerce.number().int().positive().max(3600).default(30),
  'burn.share': z.coerce.number().min(0).max(1).default(0),
  'metrics.port': z.coerce.number().int().min(0).max(65535).optional(),
});
const problems = (values: Record<string, unknown>) => {
  const result = parseOptionValues(options, schema, values, {});
  return 'problems' in result ? result.problems : [];
};

describe('parseOptionValues', () => {
  it('says a number option needs a whole number, with an example, instead of "received NaN"', () => {
    expect(problems({ netuid: 'abc' })).toEqual(['  --netuid (NETUID): must be a whole number, e.g. 46']);
    expect(problems({ poll: '4.5' })).toEqual(['  --poll (POLL): must be a whole number, e.g. 30']);
    expect(problems({ 'metrics.port': 'x' })).toEqual(['  --metrics.port: must be a whole number, e.g. 46']);
  });

  it('a fractional option says "a number", and bounds read as whole limits', () => {
    expect(problems({ 'burn.share': 'lots' })).toEqual(['  --burn.share (BURN_SHARE): must be a number, e.g. 0.5']);
    expect(problems({ 'burn.share': '2' })).toEqual(['  --burn.share (BURN_SHARE): must be at most 1']);
    expect(problems({ netuid: '0' })).toEqual(['  --netuid (NETUID): must be at least 1']);
    expect(problems({ poll: '9999' })).toEqual(['  --poll (POLL): must be at most 3600']);
  });

  it('reads the environment when the flag is absent, and accepts good values', () => {
    const result = parseOptionValues(options, schema, {}, { NETUID: '428' });
    expect(result).toEqual({ data: { netuid: 428, poll: 30, 'burn.share': 0 } });
    expect(problems({ netuid: '46', poll: '10' })).toEqual([]);
  });
});
