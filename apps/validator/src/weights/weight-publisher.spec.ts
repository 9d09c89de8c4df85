import { WeightsRefusedError } from '@resi/chain';
import { describe, expect, it } from 'vitest';
import {
  ALICE,
  BOB,
  CHARLIE,
  CONTEXT,
  DAVE,
  craftedResultsFile,
} from '../../../../packages/core/src/scoring/epoch-scoring.test-utils.js';
import { ChainWeightPublisher, type MinerWeightSetter } from './weight-publisher.js';

const file = craftedResultsFile(DAVE);

type Preflight = Awaited<ReturnType<MinerWeightSetter['preflight']>>;

/** A chain where the uids differ from the API's, Charlie holds a validator permit and Dave is us. */
function fakeSetter(refusal?: WeightsRefusedError) {
  const neurons = [
    { uid: 10, hotkey: ALICE, validatorPermit: false },
    { uid: 11, hotkey: BOB, validatorPermit: false },
    { uid: 12, hotkey: CHARLIE, validatorPermit: true },
    { uid: 13, hotkey: DAVE, validatorPermit: true },
  ];
  const submitted: ReadonlyMap<number, number>[] = [];
  const setter: MinerWeightSetter = {
    preflight: () =>
      refusal
        ? Promise.reject(refusal)
        : Promise.resolve({ snapshot: { neurons }, self: neurons[3] } as unknown as Preflight),
    setMinerWeights: (scores) => {
      submitted.push(scores);
      return Promise.resolve({ kind: 'set', uids: [], values: [], txHash: '0xabc', block: 1 } as unknown as Awaited<
        ReturnType<MinerWeightSetter['setMinerWeights']>
      >);
    },
    revealDue: () => Promise.resolve([]),
  };
  return { setter, submitted };
}

describe('ChainWeightPublisher', () => {
  it("maps miners to the chain's uids and submits their rewards; validators get no weight", async () => {
    const { setter, submitted } = fakeSetter();
    const logs: string[] = [];
    const publisher = new ChainWeightPublisher(setter, { burnShare: 0, log: (line) => logs.push(line) });
    const publication = await publisher.publish(file);
    // Rewards: Alice 0.55, Bob 0.15, Charlie 0.25 (a validator on chain: excluded from the table).
    expect(publication).toMatchObject({ outcome: 'set', detail: 'set_weights in tx 0xabc' });
    expect(publication.outcome === 'set' && publication.table.map((row) => [row.uid, row.hotkey])).toEqual([
      [10, ALICE],
      [11, BOB],
    ]);
    expect([...submitted[0]!].sort((a, b) => a[0] - b[0])).toEqual([
      [10, 0.55],
      [11, 0.15],
      [12, 0.25],
      [13, 0],
    ]);
    expect(logs[0]).toContain(`weights for epoch ${CONTEXT.epochId}`);
  });

  it('retries when rate-limited and gives up for good without a permit', async () => {
    const limited = new ChainWeightPublisher(fakeSetter(new WeightsRefusedError('rate-limited', 'too soon')).setter, {
      burnShare: 0,
      log: () => undefined,
    });
    expect(await limited.publish(file)).toEqual({ outcome: 'retry', detail: 'too soon' });
    await expect(limited.preflight()).resolves.toBeUndefined();
    const unpermitted = new ChainWeightPublisher(
      fakeSetter(new WeightsRefusedError('no-validator-permit', 'uid 13 has no validator permit')).setter,
      { burnShare: 0, log: () => undefined },
    );
    expect(await unpermitted.publish(file)).toEqual({ outcome: 'refused', detail: 'uid 13 has no validator permit' });
    await expect(unpermitted.preflight()).rejects.toThrow('no validator permit');
  });
});
