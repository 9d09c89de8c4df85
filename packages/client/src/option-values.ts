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
  return {
    problems: parsed.error.issues.map((issue) => {
      const flag = String(issue.path[0] ?? '');
      const option = options.find((candidate) => candidate.flag === flag);
      return `  --${flag}${option?.env ? ` (${option.env})` : ''}: ${issue.message}`;
    }),
  };
}

/** The subnet a client serves: `--netuid`, else 428 on the test network and 46 elsewhere. */
export function netuidOf(netuid: number | undefined, network: string): number {
  return netuid ?? (network === 'test' ? 428 : 46);
}
