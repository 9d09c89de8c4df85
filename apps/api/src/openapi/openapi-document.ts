import { RequestMethod, type Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { COMMITMENT_FORMATS, ERROR_CODES, type ErrorCode, errorBodySchema } from '@resi/core';
import { z, type ZodType } from 'zod';
import { SIGNED_ROUTE, type SignedRouteSpec } from '../auth/route-specs.js';
import { ROUTE_DOC, type RouteDoc } from './documented.js';

type JsonSchema = Record<string, unknown>;
const REF = (id: string) => `#/components/schemas/${id}`;

/** Codes every signed route can answer with (PROTOCOL.md §1–2, §9). */
const SIGNED_ERRORS: ErrorCode[] = [
  'VALIDATION_FAILED',
  'TIMESTAMP_OUT_OF_WINDOW',
  'SIGNATURE_INVALID',
  'HOTKEY_NOT_REGISTERED',
  'RATE_LIMITED',
];

function idOf(schema: ZodType): string {
  const id = z.globalRegistry.get(schema)?.id;
  if (!id) throw new Error('every schema in the OpenAPI document needs .meta({ id })');
  return id;
}

/**
 * Every registered schema (`.meta({ id })`) as an OpenAPI component. Requests are converted on
 * their input side (a query timestamp is text on the wire), everything else on the output side.
 */
function components(requestIds: Set<string>): Record<string, JsonSchema> {
  const convert = (io: 'input' | 'output') =>
    z.toJSONSchema(z.globalRegistry, { io, uri: REF, unrepresentable: 'any', target: 'draft-2020-12' }).schemas;
  const output = convert('output');
  const input = convert('input');
  const out: Record<string, JsonSchema> = {};
  for (const id of Object.keys(output).sort()) {
    const { $id: _id, $schema: _schema, ...schema } = (requestIds.has(id) ? input[id] : output[id]) as JsonSchema;
    out[id] = schema;
  }
  return out;
}

function errorResponses(codes: ErrorCode[]): Record<string, unknown> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) byStatus.set(ERROR_CODES[code], [...(byStatus.get(ERROR_CODES[code]) ?? []), code]);
  const out: Record<string, unknown> = {};
  for (const [status, list] of [...byStatus].sort(([a], [b]) => a - b)) {
    out[String(status)] = {
      description: `Error body with \`code\` ${list.map((c) => `\`${c}\``).join(', ')}`,
      content: { 'application/json': { schema: { $ref: REF(idOf(errorBodySchema)) } } },
    };
  }
  return out;
}

/**
 * The OpenAPI 3.1 document of the given controllers, derived from what the code declares: Nest's
 * route metadata, each route's `@Signed` input schema and its `@Documented` response schema.
 */
export function buildOpenApiDocument(controllers: Type[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const requestIds = new Set<string>();
  for (const controller of controllers) {
    const prefix = String((Reflect.getMetadata(PATH_METADATA, controller) as string | undefined) ?? '');
    const proto = controller.prototype as Record<string, unknown>;
    for (const name of Object.getOwnPropertyNames(proto)) {
      const handler = proto[name];
      if (typeof handler !== 'function' || name === 'constructor') continue;
      const routePath = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
      const doc = Reflect.getMetadata(ROUTE_DOC, handler) as RouteDoc | undefined;
      if (routePath === undefined || !doc) continue;
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod].toLowerCase();
      const path = `/${[prefix, routePath].filter(Boolean).join('/')}`.replace(/\/+/g, '/').replace(/:(\w+)/g, '{$1}');
      const pathParams = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
      const signed = Reflect.getMetadata(SIGNED_ROUTE, handler) as SignedRouteSpec | undefined;

      const operation: Record<string, unknown> = {
        operationId: name,
        summary: doc.summary,
        tags: [doc.tag],
        responses: {
          '200': doc.response
            ? { description: 'Success', content: { 'application/json': { schema: { $ref: REF(idOf(doc.response)) } } } }
            : { description: 'Success', content: { [doc.produces ?? 'text/plain']: { schema: { type: 'string' } } } },
          ...errorResponses([
            ...(signed ? SIGNED_ERRORS : doc.errors?.includes('RATE_LIMITED') ? [] : []),
            ...(doc.errors ?? []),
          ]),
        },
      };
      const description = [doc.description];
      if (signed) {
        const inputId = idOf(signed.schema);
        requestIds.add(inputId);
        const formats = COMMITMENT_FORMATS.filter((f) => f.method === method.toUpperCase() && f.route === path).map(
          (f) => `\`${f.template}\``,
        );
        description.push(
          `Signed by the caller's hotkey (sr25519, context \`substrate\`) over ${formats.join(' or ') || 'its commitment'}; ` +
            `${signed.role === 'validator' ? 'validators only (permit and minimum stake)' : 'registered hotkeys'}.` +
            (signed.singleUse ? ' Each signature is accepted once.' : ''),
        );
        if (signed.source === 'query') {
          const converted = z.toJSONSchema(signed.schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
          // A schema with an id converts to a root $ref into $defs: read the definition itself.
          const defs = (converted.$defs ?? {}) as Record<string, JsonSchema>;
          const input = typeof converted.$ref === 'string' ? defs[converted.$ref.split('/').pop()!]! : converted;
          const properties = (input.properties ?? {}) as Record<string, JsonSchema>;
          const required = new Set((input.required ?? []) as string[]);
          operation.parameters = Object.keys(properties).map((key) => ({
            name: key,
            in: pathParams.includes(key) ? 'path' : 'query',
            required: pathParams.includes(key) || required.has(key),
            schema: rewriteRefs(properties[key]!),
          }));
        } else {
          operation.requestBody = {
            required: true,
            content: { 'application/json': { schema: { $ref: REF(inputId) } } },
          };
        }
      }
      operation.description = description.filter(Boolean).join('\n\n');
      (paths[path] ??= {})[method] = operation;
    }
  }
  const sortedPaths = Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b)));
  return {
    openapi: '3.1.0',
    info: {
      title: 'resi API',
      version,
      description:
        'Bittensor Subnet 46 zipcode-based real-estate mining: epochs, zipcode assignments, hotkey-signed ' +
        'requests, S3 access and statistics. The wire contract is PROTOCOL.md; every error body has a stable `code`.',
    },
    tags: [
      { name: 'Miners', description: 'Routes a miner calls, signed by its hotkey' },
      { name: 'Validators', description: 'Routes for validators (permit and stake required)' },
      { name: 'Public', description: 'Unsigned routes' },
      { name: 'Operations', description: 'Health and metrics' },
    ],
    paths: sortedPaths,
    components: { schemas: components(requestIds) },
  };
}

/** Single-schema conversions put referenced components in `$defs`; point them at the components. */
function rewriteRefs(schema: JsonSchema): JsonSchema {
  return JSON.parse(JSON.stringify(schema).replaceAll('"#/$defs/', '"#/components/schemas/')) as JsonSchema;
}
