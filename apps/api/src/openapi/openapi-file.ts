import { fileURLToPath } from 'node:url';

/** The committed document, at the repository root. */
export const OPENAPI_PATH = fileURLToPath(new URL('../../../../openapi.json', import.meta.url));

export function serialiseOpenApi(document: Record<string, unknown>): string {
  return JSON.stringify(document, null, 2) + '\n';
}
