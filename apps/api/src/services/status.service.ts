import { Injectable } from '@nestjs/common';
import { ResiError } from '@resi/core';
import type { Caller } from '../auth/caller.js';
import { ClockRepository } from '../repositories/clock.repository.js';
import { SubmissionRepository } from '../repositories/submission.repository.js';
import { EpochService } from './epoch.service.js';
import { MetricsService } from './metrics.service.js';

export interface StatusUpdateInput {
  epochId: string;
  nonce: string;
  status: 'IN_PROGRESS' | 'COMPLETED' | 'FAILED' | 'TIMEOUT';
  listingsScraped?: number | undefined;
  zipcodesCompleted?: { zipcode: string; listingsScraped: number; completedAt: string }[] | undefined;
  s3UploadComplete: boolean;
  s3UploadTimestamp?: string | undefined;
}

/** POST /api/v1/zipcode-assignments/status (PROTOCOL.md §5). */
@Injectable()
export class StatusService {
  constructor(
    private readonly epochs: EpochService,
    private readonly submissions: SubmissionRepository,
    private readonly clock: ClockRepository,
    private readonly metrics: MetricsService,
  ) {}

  async update(caller: Caller, input: StatusUpdateInput) {
    const now = this.clock.now();
    const { epoch, zipcodes } = await this.epochs.get(input.epochId);
    this.epochs.requireOpenForSubmissions(epoch, now);
    if (input.nonce !== epoch.nonce) {
      throw new ResiError(
        'NONCE_MISMATCH',
        `The nonce does not match epoch ${epoch.id}'s; use the nonce from GET /api/v1/zipcode-assignments/current.`,
      );
    }
    const assigned = new Set(zipcodes.map((z) => z.zipcode));
    const reported = input.zipcodesCompleted ?? [];
    const unknown = reported.map((z) => z.zipcode).filter((z) => !assigned.has(z));
    if (unknown.length > 0) {
      throw new ResiError(
        'VALIDATION_FAILED',
        `zipcodesCompleted names zipcodes not assigned in epoch ${epoch.id}: ${unknown.slice(0, 10).join(', ')}${unknown.length > 10 ? ', …' : ''}.`,
      );
    }
    // The same zipcode twice in one report: the later entry wins, as it would across reports.
    const byZipcode = new Map(reported.map((z) => [z.zipcode, z]));
    await this.submissions.recordStatus({
      epochId: epoch.id,
      hotkey: caller.hotkey,
      status: input.status,
      listingsScraped: input.listingsScraped,
      s3UploadComplete: input.s3UploadComplete,
      s3UploadTimestamp: input.s3UploadTimestamp ? new Date(input.s3UploadTimestamp) : undefined,
      zipcodes: [...byZipcode.values()].map((z) => ({
        zipcode: z.zipcode,
        listingsScraped: z.listingsScraped,
        completedAt: new Date(z.completedAt),
      })),
      at: now,
    });
    this.metrics.statusUpdates.inc({ status: input.status });
    return {
      success: true as const,
      message: `Status ${input.status} recorded for epoch ${epoch.id}`,
      epochId: epoch.id,
      status: input.status,
      timestamp: now.toISOString(),
    };
  }
}
