import { z } from 'zod';
import { ERROR_CODES, type ErrorCode } from '../errors.js';

const ERROR_CODE_NAMES = Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]];

/**
 * Every error response (PROTOCOL.md §1): `{success: false, statusCode, error, code, message}`,
 * `error` being the HTTP reason phrase and `code` one of the stable `ERROR_CODES`.
 */
export const errorBodySchema = z
  .object({
    success: z.literal(false),
    statusCode: z.int().min(400).max(599),
    error: z.string().min(1),
    code: z.enum(ERROR_CODE_NAMES),
    message: z.string().min(1),
  })
  .meta({
    id: 'ErrorBody',
    description: 'Error response; clients branch on `code`, the message is for people.',
    examples: [
      {
        success: false,
        statusCode: 401,
        error: 'Unauthorized',
        code: 'SIGNATURE_INVALID',
        message: 'signature does not verify for hotkey 5H2W... over zipcode:assignment:current:1696089600',
      },
    ],
  });
export type ErrorBody = z.infer<typeof errorBodySchema>;
