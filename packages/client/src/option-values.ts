import type { z } from 'zod';

/** What option parsing needs of an option: its flag (without dashes) and its environment variable. */
export interface NamedOption {
  readonly flag: string;
  readonly env?: string;
}

/** One command-line option of a resi program, with the environment variable that also sets it. */
export interface OptionSpec extends NamedOption {
  /** Placeholder in help, e.g. `<url>`; absent for a switch. */
  readonly argument?: string;
  readonly description: string;
  /** Shown in help; the parsed default lives in the program's schema. */
  readonly defaultText?: string;
}

/** Where the deployed Python clients point, by subnet: 46 on finney, 428 on the test network. */
export const DEFAULT_API_URLS: Readonly<Record<number, string>> = {
  46: 'https://api.resilabs.ai',
  428: 'https://api-staging.resilabs.ai',
};

/**
 * The options of `resi miner` and `resi validator` read one way: a command-line value wins, then
 * the option's environment variable (a `.env` file is loaded into the environment by the CLI),
 * then the schema's default. Empty strings count as unset. Either the parsed values, or one line
 * per bad option naming its flag and variable.
 */
export function parseOptionValues<Schema extends z.ZodType>(
  options: readonly NamedOption[],
  schema: Schema,
  values: Readonly<Record<string, unknown>>,
  env: NodeJS.ProcessEnv,
): { readonly data: z.output<Schema> } | { readonly problems: string[] } {
  const merged: Record<string, unknown> = {};
  for (const option of options) {
    const value = values[option.flag];
    const fromEnv = option.env ? env[option.env] : undefined;
    const chosen =
      value !== undefined && value !== '' ? value : fromEnv !== undefined && fromEnv !== '' ? fromEnv : undefined;
    if (chosen !== undefined) merged[option.flag] = chosen;
  }
  const parsed = schema.safeParse(merged);
  if (parsed.success) return { data: parsed.data };
  const shape = (schema as { shape?: Record<string, z.ZodType> }).shape;
  return {
    problems: parsed.error.issues.map((issue) => {
      const flag = String(issue.path[0] ?? '');
      const option = options.find((candidate) => candidate.flag === flag);
      return `  --${flag}${option?.env ? ` (${option.env})` : ''}: ${optionProblem(issue, shape?.[flag], option)}`;
    }),
  };
}

/**
 * A bad value explained in the operator's words: zod says "expected number, received NaN" for
 * `--netuid abc`; an operator needs "must be a whole number, e.g. 46".
 */
export function optionProblem(
  issue: z.core.$ZodIssue,
  field: z.ZodType | undefined,
  option: (NamedOption & { defaultText?: string }) | undefined,
): string {
  const numeric =
    (issue.code === 'invalid_type' && (issue.expected === 'number' || issue.expected === 'int')) ||
    ((issue.code === 'too_small' || issue.code === 'too_big') && issue.origin === 'number');
  if (!numeric) return issue.message;
  // A field that refuses 1.5 as "expected int" takes whole numbers only.
  const probe = field?.safeParse('1.5');
  const whole =
    issue.code === 'invalid_type'
      ? issue.expected === 'int' || probe?.error?.issues.some((i) => i.code === 'invalid_type' && i.expected === 'int')
      : probe?.error?.issues.some((i) => i.code === 'invalid_type' && i.expected === 'int');
  if (issue.code === 'too_small') {
    const minimum = Number(issue.minimum);
    const least = issue.inclusive ? minimum : whole ? Math.floor(minimum) + 1 : undefined;
    return least !== undefined ? `must be at least ${least}` : `must be more than ${minimum}`;
  }
  if (issue.code === 'too_big') {
    const maximum = Number(issue.maximum);
    const most = issue.inclusive ? maximum : whole ? Math.ceil(maximum) - 1 : undefined;
    return most !== undefined ? `must be at most ${most}` : `must be less than ${maximum}`;
  }
  const example = /\d+(\.\d+)?/.exec(option?.defaultText ?? '')?.[0] ?? (whole ? '46' : '0.5');
  return whole ? `must be a whole number, e.g. ${example.split('.')[0]}` : `must be a number, e.g. ${example}`;
}

/** The subnet a client serves: `--netuid`, else 428 on the test network and 46 elsewhere. */
export function netuidOf(netuid: number | undefined, network: string): number {
  return netuid ?? (network === 'test' ? 428 : 46);
}
