import { z } from 'zod';
import { COMMITMENT_TEMPLATES, type CommitmentName } from '../auth/commitments.js';
import { successTrueSchema } from './primitives.js';

const COMMITMENT_NAMES = Object.keys(COMMITMENT_TEMPLATES) as [CommitmentName, ...CommitmentName[]];

/** A row of `COMMITMENT_FORMATS` on the wire. */
export const commitmentFormatSchema = z
  .object({
    commitment: z.enum(COMMITMENT_NAMES),
    method: z.enum(['GET', 'POST']),
    route: z.string().startsWith('/'),
    template: z.string().min(1),
    description: z.string(),
  })
  .meta({ id: 'CommitmentFormat' });

/** `GET /commitment-formats` (public): the commitment table and the timestamp window. */
export const commitmentFormatsResponseSchema = z
  .object({
    success: successTrueSchema,
    formats: z.array(commitmentFormatSchema),
    timestampWindow: z.object({
      maxAgeSeconds: z.int().positive(),
      maxFutureSeconds: z.int().positive(),
    }),
  })
  .meta({ id: 'CommitmentFormatsResponse' });
export type CommitmentFormatsResponse = z.infer<typeof commitmentFormatsResponseSchema>;
