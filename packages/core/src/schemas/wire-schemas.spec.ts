import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { RESI_WIRE_SCHEMAS } from './wire-schemas.js';

const entries = Object.entries(RESI_WIRE_SCHEMAS);

describe('RESI_WIRE_SCHEMAS', () => {
  it('names each schema by the component id it carries', () => {
    for (const [name, schema] of entries) {
      expect(z.globalRegistry.get(schema)?.id).toBe(name);
    }
  });

  it.each(entries)('%s converts to JSON Schema on both sides', (name, schema) => {
    for (const io of ['input', 'output'] as const) {
      const document = z.toJSONSchema(schema, { io, unrepresentable: 'throw' }) as {
        $ref?: string;
        $defs?: Record<string, { type?: string }>;
      };
      expect(document.$ref).toBe(`#/$defs/${name}`);
      expect(document.$defs?.[name]?.type).toBe('object');
    }
  });

  it('request schemas allow unknown properties in the document too (the server ignores them)', () => {
    const document = z.toJSONSchema(RESI_WIRE_SCHEMAS.StatusUpdateRequest, { io: 'input' }) as {
      $defs: Record<string, { additionalProperties?: boolean; required?: string[] }>;
    };
    const request = document.$defs.StatusUpdateRequest!;
    expect(request.additionalProperties).not.toBe(false);
    expect(request.required).toEqual(
      expect.arrayContaining(['hotkey', 'signature', 'timestamp', 'epochId', 'nonce', 'status', 's3UploadComplete']),
    );
    expect(request.required).not.toContain('zipcodesCompleted');
  });

  it('a query timestamp is "integer or digits" on input and an integer on output', () => {
    const input = JSON.stringify(z.toJSONSchema(RESI_WIRE_SCHEMAS.SignedQuery, { io: 'input' }));
    const output = JSON.stringify(z.toJSONSchema(RESI_WIRE_SCHEMAS.SignedQuery, { io: 'output' }));
    expect(input).toContain('"anyOf"');
    expect(output).not.toContain('"anyOf"');
  });

  it('the whole registry converts at once, as the OpenAPI document will', () => {
    const registry = z.registry<{ id: string }>();
    for (const [name, schema] of entries) registry.add(schema, { id: name });
    const { schemas } = z.toJSONSchema(registry, { io: 'input', uri: (id) => `#/components/schemas/${id}` });
    expect(Object.keys(schemas)).toEqual(expect.arrayContaining(Object.keys(RESI_WIRE_SCHEMAS)));
  });
});
