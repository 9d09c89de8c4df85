import { epochIdSchema } from '@resi/core';
import { z } from 'zod';

const epochIdParamSchema = z.object({ epochId: epochIdSchema });

/**
 * An `{epochId}` path parameter, checked; a bad one is refused as `VALIDATION_FAILED` naming
 * `epochId` (the error filter names the field by its path, and a bare parse has none).
 */
export function epochIdParam(value: string): string {
  return epochIdParamSchema.parse({ epochId: value }).epochId;
}
