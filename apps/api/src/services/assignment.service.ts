import { Inject, Injectable } from '@nestjs/common';
import { epochAuditSeed } from '@resi/core';
import { ClockRepository } from '../repositories/clock.repository.js';
import { ZIPCODE_SECRET } from '../tokens.js';
import { EpochService, type EpochAssignment } from './epoch.service.js';
import { EpochSnapshotService, type RevealMode } from './epoch-snapshot.service.js';

/**
 * The assignment responses of PROTOCOL.md §4. Every miner gets the same zipcodes; honeypot flags
 * and the audit seed leave the server only through `forValidator`, and only once the epoch's grace
 * period has ended and what every miner stored then is recorded (`EpochSnapshotService.revealed`):
 * an upload changed after that is not what validators score, so knowing them is too late to use.
 */
@Injectable()
export class AssignmentService {
  private readonly currentBodies = new Map<string, ReturnType<AssignmentService['buildBody']>>();
  private currentJsonCache: { epochId: string; json: string } | undefined;

  constructor(
    private readonly epochs: EpochService,
    private readonly snapshots: EpochSnapshotService,
    private readonly clock: ClockRepository,
    @Inject(ZIPCODE_SECRET) private readonly secret: string,
  ) {}

  /** GET /api/v1/zipcode-assignments/current */
  async current() {
    const assignment = await this.epochs.current();
    const id = assignment.epoch.id;
    let body = this.currentBodies.get(id);
    if (!body) {
      body = this.buildBody(assignment);
      this.currentBodies.clear();
      this.currentBodies.set(id, body);
    }
    return body;
  }

  /**
   * The current assignment already serialised. It is the hottest route and its body never changes
   * within an epoch, so it is serialised once per epoch rather than once per request.
   */
  async currentJson(): Promise<string> {
    const body = await this.current();
    if (this.currentJsonCache?.epochId !== body.epochId) {
      this.currentJsonCache = { epochId: body.epochId, json: JSON.stringify(body) };
    }
    return this.currentJsonCache.json;
  }

  /**
   * GET /api/v1/zipcode-assignments/epoch/{epochId} (validators, `take`: the snapshot is taken now
   * if missing, SERVICE_UNAVAILABLE while it cannot be), and the dashboard's epoch view (`stored`:
   * nothing is revealed until a snapshot is stored).
   */
  async forValidator(epochId: string, mode: RevealMode = 'take') {
    const assignment = await this.epochs.get(epochId);
    const now = this.clock.now();
    const status = this.epochs.phaseOf(epochId, now);
    const reveal = await this.snapshots.revealed(assignment.epoch, mode, now);
    const body = this.buildBody(assignment);
    return {
      ...body,
      status,
      zipcodes: body.zipcodes.map((z, i) => (reveal ? { ...z, isHoneypot: assignment.zipcodes[i]!.isHoneypot } : z)),
      ...(reveal ? { auditSeed: epochAuditSeed(this.secret, epochId) } : {}),
    };
  }

  private buildBody({ epoch, zipcodes }: EpochAssignment) {
    const listed = zipcodes.map((z) => ({
      zipcode: z.zipcode,
      expectedListings: z.expectedListings,
      state: z.state,
      city: z.city,
      county: z.county,
      marketTier: z.marketTier as 'PREMIUM' | 'STANDARD' | 'EMERGING',
      geographicRegion: z.geographicRegion as 'Northeast' | 'Midwest' | 'South' | 'West',
    }));
    return {
      success: true as const,
      epochId: epoch.id,
      epochStart: epoch.startAt.toISOString(),
      epochEnd: epoch.endAt.toISOString(),
      nonce: epoch.nonce,
      targetListings: epoch.targetListings,
      tolerancePercent: epoch.tolerancePercent,
      submissionDeadline: epoch.submissionDeadline.toISOString(),
      zipcodes: listed,
      metadata: {
        // The sum over every listed zipcode, honeypots included: a total that left them out
        // would let a miner work out which ones they are.
        totalExpectedListings: listed.reduce((sum, z) => sum + z.expectedListings, 0),
        zipcodeCount: listed.length,
        algorithmVersion: epoch.algorithmVersion,
        selectionSeed: epoch.selectionSeed,
      },
    };
  }
}
