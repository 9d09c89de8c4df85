import fc from 'fast-check';
import { z } from 'zod';

/** The subset of JSON Schema that `z.toJSONSchema` produces for our request schemas. */
export interface JsonSchema {
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
  type?: string | string[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  maxItems?: number;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
}

/** The schema of any value (an array without `items`, a missing definition). */
const ANY_SCHEMA: JsonSchema = {};

/** The request side of a zod schema as JSON Schema, references resolved against its own `$defs`. */
export function requestJsonSchema(schema: z.ZodType): { root: JsonSchema; resolve: (s: JsonSchema) => JsonSchema } {
  const root = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const defs = root.$defs ?? {};
  // The same node resolves to the same object, so what is built per node (see `memo`) is built once.
  const resolved = new WeakMap<JsonSchema, JsonSchema>();
  const resolve = (s: JsonSchema): JsonSchema => {
    const known = resolved.get(s);
    if (known) return known;
    let current = s;
    for (let hops = 0; current.$ref && hops < 10; hops++) {
      const name = current.$ref.replace(/^#\/\$defs\//, '');
      current = current.$ref === '#' ? root : (defs[name] ?? ANY_SCHEMA);
    }
    if (current.allOf?.length === 1) current = resolve({ ...current, ...current.allOf[0], allOf: undefined });
    resolved.set(s, current);
    return current;
  };
  return { root: resolve(root), resolve };
}

const INT32_MAX = 2 ** 31 - 1;

/** Numbers at and past every boundary a database column or a JSON parser has. */
export const BOUNDARY_NUMBERS: readonly number[] = [
  0,
  -0,
  -1,
  1,
  0.5,
  -0.5,
  1e-300,
  INT32_MAX,
  INT32_MAX + 1,
  -INT32_MAX - 1,
  -INT32_MAX - 2,
  2 ** 32,
  5e9,
  Number.MAX_SAFE_INTEGER,
  Number.MAX_SAFE_INTEGER + 2,
  -Number.MAX_SAFE_INTEGER,
  2 ** 63,
  -(2 ** 63),
  2 ** 64,
  1e21,
  1e308,
  -1e308,
  Number.MAX_VALUE,
  Number.MIN_VALUE,
];

/** Instants around and far past what `Date`, PostgreSQL `timestamptz` and the protocol take. */
export const BOUNDARY_INSTANTS: readonly string[] = [
  '0000-01-01T00:00:00Z',
  '0001-01-01T00:00:00Z',
  '1969-12-31T23:59:59Z',
  '1970-01-01T00:00:00Z',
  '2020-09-13T12:26:39Z',
  '2020-09-13T12:26:40Z',
  '2038-01-19T03:14:07Z',
  '2038-01-19T03:14:08Z',
  '2262-04-11T23:47:16.854775807Z',
  '9999-12-31T23:59:59.999999Z',
  '+275760-09-13T00:00:00Z',
  '-000001-01-01T00:00:00Z',
  '2025-02-30T00:00:00Z',
  '2025-10-01T24:00:00Z',
  '2025-10-01T17:00:00.123456789123Z',
  '2025-10-01T17:00:00+14:00',
  '2025-10-01T17:00:00-23:59',
  '2025-10-01T17:00:00',
  '2025-10-01',
];

/** Strings a parser, a regex, a database or a log line might choke on. */
export const BOUNDARY_STRINGS: readonly string[] = [
  '',
  ' ',
  '\u0000',
  '\u0000abc',
  'null',
  'undefined',
  'NaN',
  'Infinity',
  '-1',
  '1e999',
  '0x10',
  'é',
  'ﬃ',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
  '👩‍👩‍👧‍👦',
  '\u202eevil',
  '\ud800',
  '\udfff\ud800',
  "'; drop table epochs; --",
  '%00%2e%2e%2f',
  '../../etc/passwd',
  '<script>alert(1)</script>',
  '${jndi:ldap://x}',
  '\r\nX-Injected: 1',
  'a'.repeat(257),
  'x'.repeat(20_000),
];

/**
 * Any code points, lone surrogates included. Built once: building a binary string arbitrary maps
 * every code point (about a second of CPU), drawing from it is cheap.
 */
const BINARY_STRING = fc.string({ unit: 'binary', maxLength: 64 });

const EXTRA_KEYS = [
  'extra',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
  '',
  'é',
  'epoch_nonce',
  'files',
  'x'.repeat(300),
];

/** A value of any JSON type, small or large. */
export const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.constantFrom(...BOUNDARY_NUMBERS),
  fc.constantFrom(...BOUNDARY_STRINGS),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constant([]),
  fc.constant({}),
  fc.constant(Array.from({ length: 10_000 }, (_, i) => i)),
  fc.jsonValue({ maxDepth: 3 }),
);

/** Overrides for fields whose valid values the caller knows (the current epoch, a registered hotkey). */
export type KnownValues = Record<string, fc.Arbitrary<unknown>>;

const NOTHING_KNOWN: KnownValues = {};

/**
 * Arbitraries built once per (schema node, known values, field name). Building one is far dearer
 * than drawing from it (a string arbitrary tokenises its dangerous defaults, a regex one parses its
 * pattern), and the fuzz draws tens of thousands of cases from the same few schemas.
 */
const built = new WeakMap<JsonSchema, WeakMap<KnownValues, Map<string, fc.Arbitrary<unknown>>>>();

function memo(
  kind: string,
  schema: JsonSchema,
  known: KnownValues,
  name: string | undefined,
  build: () => fc.Arbitrary<unknown>,
): fc.Arbitrary<unknown> {
  let byKnown = built.get(schema);
  if (!byKnown) built.set(schema, (byKnown = new WeakMap<KnownValues, Map<string, fc.Arbitrary<unknown>>>()));
  let byName = byKnown.get(known);
  if (!byName) byKnown.set(known, (byName = new Map<string, fc.Arbitrary<unknown>>()));
  const key = `${kind}:${name ?? ''}`;
  let arbitrary = byName.get(key);
  if (!arbitrary) byName.set(key, (arbitrary = build()));
  return arbitrary;
}

function types(schema: JsonSchema): string[] {
  if (Array.isArray(schema.type)) return schema.type;
  return schema.type ? [schema.type] : [];
}

function branches(schema: JsonSchema): JsonSchema[] {
  return schema.anyOf ?? schema.oneOf ?? [];
}

/** A value `schema` accepts (as far as JSON Schema can say; refinements may still refuse it). */
export function validValue(
  schema: JsonSchema,
  resolve: (s: JsonSchema) => JsonSchema,
  known: KnownValues,
  name?: string,
): fc.Arbitrary<unknown> {
  if (name !== undefined && known[name]) return known[name];
  return memo('valid', schema, known, name, () => buildValidValue(schema, resolve, known, name));
}

function buildValidValue(
  schema: JsonSchema,
  resolve: (s: JsonSchema) => JsonSchema,
  known: KnownValues,
  name: string | undefined,
): fc.Arbitrary<unknown> {
  const s = resolve(schema);
  const options = branches(s);
  if (options.length > 0) {
    const nonNull = options.filter((o) => !types(resolve(o)).includes('null'));
    return fc.oneof(...(nonNull.length > 0 ? nonNull : options).map((o) => validValue(o, resolve, known, name)));
  }
  if (s.enum) return fc.constantFrom(...s.enum);
  if (s.const !== undefined) return fc.constant(s.const);
  const type = types(s)[0];
  switch (type) {
    case 'string':
      if (s.format === 'date-time') {
        return fc
          .date({ min: new Date('2025-01-01T00:00:00Z'), max: new Date('2026-01-01T00:00:00Z'), noInvalidDate: true })
          .map((d) => d.toISOString());
      }
      if (s.pattern) return fc.stringMatching(new RegExp(s.pattern));
      return fc.string({ minLength: s.minLength ?? 0, maxLength: Math.min(s.maxLength ?? 40, 40) });
    case 'integer':
      return fc.integer({
        min: Math.max(s.minimum ?? -INT32_MAX, s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : -Infinity),
        max: Math.min(s.maximum ?? INT32_MAX, s.exclusiveMaximum !== undefined ? s.exclusiveMaximum - 1 : Infinity),
      });
    case 'number':
      return fc.double({
        min: s.minimum ?? -1e6,
        max: s.maximum ?? 1e6,
        noNaN: true,
        noDefaultInfinity: true,
      });
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(validValue(s.items ?? ANY_SCHEMA, resolve, known), {
        minLength: s.minItems ?? 0,
        maxLength: Math.max(s.minItems ?? 0, Math.min(s.maxItems ?? 5, 5)),
      });
    case 'object':
      return validObject(s, resolve, known);
    case 'null':
      return fc.constant(null);
    default:
      return anyJson;
  }
}

function validObject(s: JsonSchema, resolve: (s: JsonSchema) => JsonSchema, known: KnownValues) {
  const required = new Set(s.required ?? []);
  const shape: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [key, property] of Object.entries(s.properties ?? {}))
    shape[key] = validValue(property, resolve, known, key);
  const requiredKeys = Object.keys(shape).filter((k) => required.has(k));
  return fc.record(shape, { requiredKeys });
}

/**
 * Values `schema` still accepts, taken at its edges: the extreme integers, the longest strings
 * (in unicode where no pattern restricts them), the largest arrays. These get past validation and
 * authentication and reach the services and the database.
 */
export function edgeValue(
  schema: JsonSchema,
  resolve: (s: JsonSchema) => JsonSchema,
  known: KnownValues,
): fc.Arbitrary<unknown> {
  return memo('edge', schema, known, undefined, () => buildEdgeValue(schema, resolve, known));
}

function buildEdgeValue(
  schema: JsonSchema,
  resolve: (s: JsonSchema) => JsonSchema,
  known: KnownValues,
): fc.Arbitrary<unknown> {
  const s = resolve(schema);
  const options = branches(s);
  if (options.length > 0) return fc.oneof(...options.map((o) => edgeValue(o, resolve, known)));
  const type = types(s)[0];
  switch (type) {
    case 'integer':
    case 'number': {
      const low = s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : -INT32_MAX - 1);
      const high = s.maximum ?? (s.exclusiveMaximum !== undefined ? s.exclusiveMaximum - 1 : INT32_MAX);
      return fc.constantFrom(low, high, Math.max(low, Math.min(high, 0)));
    }
    case 'string':
      if (s.pattern || s.format || s.enum) return validValue(s, resolve, known);
      return fc.constantFrom(...['𝔘', 'é', 'a', '\u0000'].map((c) => c.repeat(Math.min(s.maxLength ?? 200, 200))));
    case 'array': {
      const max = Math.min(s.maxItems ?? 100, 1000);
      return validValue(s.items ?? ANY_SCHEMA, resolve, known).map((item) => Array.from({ length: max }, () => item));
    }
    default:
      return validValue(s, resolve, known);
  }
}

/** Values at and just past the edges of what `schema` accepts, and of other types. */
export function boundaryValue(schema: JsonSchema, resolve: (s: JsonSchema) => JsonSchema): fc.Arbitrary<unknown> {
  return memo('boundary', schema, NOTHING_KNOWN, undefined, () => buildBoundaryValue(schema, resolve));
}

function buildBoundaryValue(schema: JsonSchema, resolve: (s: JsonSchema) => JsonSchema): fc.Arbitrary<unknown> {
  const s = resolve(schema);
  const options = branches(s);
  if (options.length > 0) return fc.oneof(...options.map((o) => boundaryValue(o, resolve)));
  const type = types(s)[0];
  const edges: number[] = [];
  for (const bound of [s.minimum, s.maximum, s.exclusiveMinimum, s.exclusiveMaximum]) {
    if (bound !== undefined) edges.push(bound - 1, bound, bound + 1);
  }
  switch (type) {
    case 'string': {
      const lengths = [s.minLength, s.maxLength].filter((n): n is number => n !== undefined);
      return fc.oneof(
        s.format === 'date-time' ? fc.constantFrom(...BOUNDARY_INSTANTS) : fc.constantFrom(...BOUNDARY_STRINGS),
        fc.constantFrom(...BOUNDARY_STRINGS),
        BINARY_STRING,
        lengths.length > 0
          ? fc
              .constantFrom(...lengths.flatMap((n) => [n - 1, n, n + 1]).filter((n) => n >= 0))
              .map((n) => 'é'.repeat(n))
          : fc.constant('a'.repeat(1000)),
        anyJson,
      );
    }
    case 'integer':
    case 'number':
      return fc.oneof(
        fc.constantFrom(...BOUNDARY_NUMBERS, ...(edges.length > 0 ? edges : [0])),
        fc.constantFrom('1', '2147483648', '', 'NaN'),
        anyJson,
      );
    case 'array': {
      const item = s.items ?? ANY_SCHEMA;
      const max = s.maxItems ?? 1000;
      return fc.oneof(
        fc.constant([]),
        fc
          .constantFrom(max, max + 1, 10_000)
          .chain((length) =>
            validValue(item, resolve, NOTHING_KNOWN).map((value) => Array.from({ length }, () => value)),
          ),
        fc.array(boundaryValue(item, resolve), { maxLength: 5 }),
        fc.constant([null]),
        fc.constant([[[[]]]]),
        anyJson,
      );
    }
    case 'object':
      return fc.oneof(fc.constant({}), fc.constant([]), anyJson);
    default:
      return anyJson;
  }
}

type Path = (string | number)[];

/** Every path inside `value` that `schema` describes, with the sub-schema found there. */
function pathsOf(
  value: unknown,
  schema: JsonSchema,
  resolve: (s: JsonSchema) => JsonSchema,
  path: Path = [],
): { path: Path; schema: JsonSchema }[] {
  const s = resolve(schema);
  const out: { path: Path; schema: JsonSchema }[] = path.length > 0 ? [{ path, schema: s }] : [];
  const options = branches(s);
  const objectSchema =
    options.length > 0 ? (options.map(resolve).find((o) => jsonTypesOf(value).includes(types(o)[0] ?? '')) ?? s) : s;
  if (Array.isArray(value) && objectSchema.items) {
    value.forEach((item, i) => out.push(...pathsOf(item, objectSchema.items!, resolve, [...path, i])));
  } else if (value && typeof value === 'object' && objectSchema.properties) {
    for (const [key, property] of Object.entries(objectSchema.properties)) {
      out.push(...pathsOf((value as Record<string, unknown>)[key], property, resolve, [...path, key]));
    }
  }
  return out;
}

/** The JSON Schema types `value` belongs to. */
function jsonTypesOf(value: unknown): string[] {
  if (value === null) return ['null'];
  if (Array.isArray(value)) return ['array'];
  if (typeof value === 'number') return Number.isInteger(value) ? ['integer', 'number'] : ['number'];
  return [typeof value];
}

function describesObject(schema: JsonSchema, resolve: (s: JsonSchema) => JsonSchema): boolean {
  const s = resolve(schema);
  return s.properties !== undefined || branches(s).some((o) => resolve(o).properties !== undefined);
}

export type Mutation =
  | { kind: 'boundary'; path: Path; value: unknown }
  | { kind: 'null'; path: Path }
  | { kind: 'delete'; path: Path }
  | { kind: 'extra'; path: Path; key: string; value: unknown };

/** A structured clone for JSON values (the inputs here are plain JSON). */
function clone<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

function parentOf(
  root: Record<string, unknown>,
  path: Path,
): { parent: Record<string | number, unknown>; key: string | number } | null {
  let node: unknown = root;
  for (const step of path.slice(0, -1)) {
    if (!node || typeof node !== 'object') return null;
    node = (node as Record<string | number, unknown>)[step];
  }
  if (!node || typeof node !== 'object') return null;
  return { parent: node as Record<string | number, unknown>, key: path[path.length - 1]! };
}

/** Applies `mutations` to a copy of `input`. */
export function applyMutations(input: Record<string, unknown>, mutations: Mutation[]): Record<string, unknown> {
  const out = clone(input);
  for (const m of mutations) {
    if (m.kind === 'extra') {
      let node: unknown = out;
      for (const step of m.path)
        node = node && typeof node === 'object' ? (node as Record<string, unknown>)[step] : undefined;
      if (node && typeof node === 'object' && !Array.isArray(node)) {
        Object.defineProperty(node, m.key, { value: m.value, enumerable: true, writable: true, configurable: true });
      }
      continue;
    }
    const at = parentOf(out, m.path);
    if (!at) continue;
    if (m.kind === 'delete') {
      if (Array.isArray(at.parent)) at.parent.splice(Number(at.key), 1);
      else delete at.parent[at.key];
    } else {
      at.parent[at.key] = m.kind === 'null' ? null : m.value;
    }
  }
  return out;
}

const EXTRA_KEY = fc.constantFrom(...EXTRA_KEYS);

/** One of `items` (cheaper to build than `constantFrom`, which the cases do once each). */
function pick<T>(items: readonly T[]): fc.Arbitrary<T> {
  return fc.integer({ min: 0, max: items.length - 1 }).map((i) => items[i]!);
}

/**
 * Up to two mutations of a valid `input`: a boundary value, `null` or removal at a path the schema
 * describes, or an unknown field. `frozen` names the top-level fields left alone (the signed ones).
 */
export function mutations(
  input: Record<string, unknown>,
  schema: JsonSchema,
  resolve: (s: JsonSchema) => JsonSchema,
  frozen: ReadonlySet<string>,
  known: KnownValues = NOTHING_KNOWN,
): fc.Arbitrary<Mutation[]> {
  const targets = pathsOf(input, schema, resolve).filter((t) => !frozen.has(String(t.path[0])));
  const objectPaths: Path[] = [[], ...targets.filter((t) => describesObject(t.schema, resolve)).map((t) => t.path)];
  const extra = fc.record({
    kind: fc.constant('extra' as const),
    path: pick(objectPaths),
    key: EXTRA_KEY,
    value: anyJson,
  });
  if (targets.length === 0) return fc.array(extra, { minLength: 0, maxLength: 2 });
  const target = pick(targets);
  // Weighted so that most cases still pass validation (and authentication) and reach the services
  // and the database: edge values, nulls and unknown fields are accepted, boundary values mostly not.
  const one: fc.Arbitrary<Mutation> = fc.oneof(
    {
      weight: 4,
      arbitrary: target.chain((t) =>
        boundaryValue(t.schema, resolve).map((value): Mutation => ({ kind: 'boundary', path: t.path, value })),
      ),
    },
    {
      weight: 8,
      arbitrary: target.chain((t) =>
        edgeValue(t.schema, resolve, known).map((value): Mutation => ({ kind: 'boundary', path: t.path, value })),
      ),
    },
    { weight: 3, arbitrary: target.map((t): Mutation => ({ kind: 'null', path: t.path })) },
    { weight: 1, arbitrary: target.map((t): Mutation => ({ kind: 'delete', path: t.path })) },
    { weight: 3, arbitrary: extra },
  );
  return fc.array(one, { minLength: 0, maxLength: 2 });
}
