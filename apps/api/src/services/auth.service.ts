import { Inject, Injectable } from '@nestjs/common';
import {
  checkTimestampWindow,
  isValidatorNeuron,
  ResiError,
  TIMESTAMP_WINDOW_SECONDS,
  verifyCommitmentSignature,
} from '@resi/core';
import type { Caller } from '../auth/caller.js';
import type { SignedFields, SignedRouteSpec } from '../auth/route-specs.js';
import type { ApiEnv } from '../config/config.js';
import { ClockRepository } from '../repositories/clock.repository.js';
import type { KeyValueStore } from '../repositories/kv-store.js';
import type { MetagraphSource } from '../repositories/metagraph.repository.js';
import { API_CONFIG, KV_STORE, METAGRAPH } from '../tokens.js';
import { AuthFailureLimitService } from './auth-failure-limit.service.js';
import { MetricsService } from './metrics.service.js';

/**
 * A single-use signature stays remembered as long as core's timestamp window accepts it, plus
 * half a minute for clocks between replicas and Redis.
 */
export const REPLAY_TTL_SECONDS = TIMESTAMP_WINDOW_SECONDS + 30;

/**
 * Hotkey authentication (PROTOCOL.md §2), cheapest checks first so that a forged request costs
 * little: failure limits (process memory), timestamp window, registration and role, coldkey
 * ownership (the metagraph is public, so answering these before the signature reveals nothing),
 * then the signature (at most two sr25519 verifications per accepted commitment), then single use.
 */
@Injectable()
export class AuthService {
  constructor(
    @Inject(API_CONFIG) private readonly config: ApiEnv,
    @Inject(METAGRAPH) private readonly metagraph: MetagraphSource,
    @Inject(KV_STORE) private readonly store: KeyValueStore,
    private readonly clock: ClockRepository,
    private readonly metrics: MetricsService,
    private readonly failures: AuthFailureLimitService,
  ) {}

  /** Authenticates `input` sent from `clientIp`; every refusal is counted against the IP (and hotkey). */
  async authenticate<T extends SignedFields>(spec: SignedRouteSpec<T>, input: T, clientIp: string): Promise<Caller> {
    try {
      this.failures.assertIpAllowed(clientIp, input.hotkey);
      const caller = await this.check(spec, input, clientIp);
      this.failures.recordSuccess(clientIp, input.hotkey);
      return caller;
    } catch (error) {
      if (error instanceof ResiError) {
        this.metrics.authFailures.inc({ code: error.code });
        await this.failures.recordFailure(error.code, clientIp, input.hotkey);
      }
      throw error;
    }
  }

  private async check<T extends SignedFields>(spec: SignedRouteSpec<T>, input: T, clientIp: string): Promise<Caller> {
    checkTimestampWindow(input.timestamp, this.clock.nowSeconds());

    const neuron = this.metagraph.byHotkey(input.hotkey);
    if (!neuron) {
      throw new ResiError(
        'HOTKEY_NOT_REGISTERED',
        `Hotkey ${input.hotkey} is not registered on this subnet; register it (btcli subnet register) and retry once the metagraph shows it.`,
      );
    }
    if (spec.role === 'validator' && !isValidatorNeuron(neuron, this.config.VALIDATOR_MIN_STAKE)) {
      const why = neuron.validatorPermit
        ? `its stake ${neuron.stake} is below the required ${this.config.VALIDATOR_MIN_STAKE}`
        : 'it has no validator permit';
      throw new ResiError('NOT_A_VALIDATOR', `Hotkey ${input.hotkey} may not use validator routes: ${why}.`);
    }
    if (spec.coldkey) {
      const claimed = spec.coldkey(input);
      if (claimed !== neuron.coldkey) {
        throw new ResiError(
          'COLDKEY_MISMATCH',
          `Coldkey ${claimed} does not own hotkey ${input.hotkey} on chain; send the coldkey that registered this hotkey.`,
        );
      }
    }

    this.failures.assertHotkeyAllowed(clientIp, input.hotkey);
    const commitments = spec.commitments(input);
    if (!commitments.some((message) => verifyCommitmentSignature(message, input.signature, input.hotkey))) {
      const expected = commitments.map((c) => `"${c}"`).join(' or ');
      throw new ResiError(
        'SIGNATURE_INVALID',
        `The signature is not hotkey ${input.hotkey}'s sr25519 signature of ${expected}. Sign exactly that string (UTF-8) with this hotkey and send the 64-byte signature as hex.`,
      );
    }

    if (spec.singleUse) {
      const key = `replay:${input.signature.replace(/^0x/i, '').toLowerCase()}`;
      if (!(await this.store.setIfAbsent(key, REPLAY_TTL_SECONDS))) {
        throw new ResiError(
          'SIGNATURE_REPLAYED',
          'This signature was already used; sign a fresh commitment with the current timestamp for every request.',
        );
      }
    }
    return { hotkey: input.hotkey, neuron };
  }
}
