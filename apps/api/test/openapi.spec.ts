import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { apiOpenApiDocument } from '../src/create-api.js';
import { OPENAPI_PATH, serialiseOpenApi } from '../src/openapi/openapi-file.js';

describe('openapi.json', () => {
  const document = apiOpenApiDocument();

  it('is what the code declares (run `npm run openapi` after changing a route or schema)', () => {
    const committed = readFileSync(OPENAPI_PATH, 'utf8');
    expect(committed === serialiseOpenApi(document), 'openapi.json is stale: run `npm run openapi` and commit it').toBe(
      true,
    );
  });

  it('documents every protocol route with its input and a named response', () => {
    const paths = document.paths as Record<string, Record<string, { parameters?: { name: string; in: string }[] }>>;
    expect(Object.keys(paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/zipcode-assignments/current',
        '/api/v1/zipcode-assignments/epoch/{epochId}',
        '/api/v1/zipcode-assignments/status',
        '/api/v1/zipcode-assignments/stats',
        '/healthcheck',
        '/commitment-formats',
        '/get-folder-access',
        '/get-validator-access',
        '/get-miner-specific-access',
        '/api/v1/s3-access/miner-upload',
        '/api/v1/s3-access/validator-upload',
        '/api/v1/epochs/{epochId}/submissions',
      ]),
    );
    const epoch = paths['/api/v1/zipcode-assignments/epoch/{epochId}']!.get!;
    expect(epoch.parameters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'epochId', in: 'path' }),
        expect.objectContaining({ name: 'signature', in: 'query' }),
      ]),
    );
    const refs = JSON.stringify(document).match(/#\/components\/schemas\/(\w+)/g) ?? [];
    const schemas = (document.components as { schemas: Record<string, unknown> }).schemas;
    for (const ref of new Set(refs)) expect(schemas, ref).toHaveProperty(ref.split('/').pop()!);
  });
});
