/**
 * S3's POST policy rules, for tests: s3rver accepts any form, so the policies we sign are checked
 * here the way AWS S3 evaluates them (Amazon S3 "Creating a POST policy"): the policy has not
 * expired, every condition holds, and every form field except the exempt ones is covered by a
 * condition.
 */
export interface PostPolicyDocument {
  expiration: string;
  conditions: PostPolicyCondition[];
}

export type PostPolicyCondition = Record<string, string> | [string, string | number, string | number];

/** Fields S3 does not require a condition for. */
const EXEMPT_FIELDS = new Set(['policy', 'x-amz-signature', 'file']);

export function decodePostPolicy(fields: Record<string, string>): PostPolicyDocument {
  const encoded = fields.Policy;
  if (!encoded) throw new Error('no Policy field');
  return JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')) as PostPolicyDocument;
}

/**
 * Why S3 would refuse a POST of `form` (every field but the file) with a file of `fileBytes` at
 * `at`; empty when it would accept it. Field names compare case-insensitively, values exactly.
 */
export function postPolicyViolations(
  policy: PostPolicyDocument,
  form: Record<string, string>,
  fileBytes: number,
  at: Date,
): string[] {
  const violations: string[] = [];
  const value = (name: string) =>
    Object.entries(form).find(([field]) => field.toLowerCase() === name.toLowerCase().replace(/^\$/, ''))?.[1];
  if (at.getTime() >= new Date(policy.expiration).getTime()) violations.push(`expired at ${policy.expiration}`);
  const covered = new Set<string>();
  for (const condition of policy.conditions) {
    if (!Array.isArray(condition)) {
      for (const [name, expected] of Object.entries(condition)) {
        covered.add(name.toLowerCase());
        if (value(name) !== expected) violations.push(`${name} must equal ${JSON.stringify(expected)}`);
      }
      continue;
    }
    const [operator, first, second] = condition;
    if (operator === 'content-length-range') {
      if (fileBytes < Number(first) || fileBytes > Number(second)) {
        violations.push(`file size ${fileBytes} outside ${String(first)}..${String(second)}`);
      }
      continue;
    }
    const name = String(first);
    covered.add(name.replace(/^\$/, '').toLowerCase());
    const actual = value(name) ?? '';
    if (operator === 'eq' && actual !== second) violations.push(`${name} must equal ${JSON.stringify(second)}`);
    else if (operator === 'starts-with' && !actual.startsWith(String(second))) {
      violations.push(`${name} must start with ${JSON.stringify(second)}`);
    } else if (operator !== 'eq' && operator !== 'starts-with') violations.push(`unknown condition ${operator}`);
  }
  for (const field of Object.keys(form)) {
    const name = field.toLowerCase();
    if (!EXEMPT_FIELDS.has(name) && !name.startsWith('x-ignore-') && !covered.has(name)) {
      violations.push(`field ${field} is not covered by the policy`);
    }
  }
  return violations;
}
