import { Option } from 'commander';

/** One documented option of a program (the miner's and validator's tables share this shape). */
export interface OptionSpec {
  readonly flag: string;
  readonly argument?: string;
  readonly env?: string;
  readonly description: string;
  readonly defaultText?: string;
}

/** The commander option for `spec`; its help names the environment variable and the default. */
export function optionOf(spec: OptionSpec, prefix = ''): Option {
  const details = [
    spec.env ? `env ${spec.env}` : undefined,
    spec.defaultText ? `default ${spec.defaultText}` : undefined,
  ]
    .filter(Boolean)
    .join(', ');
  const flags = `--${spec.flag}${spec.argument ? ` ${spec.argument}` : ''}`;
  return new Option(flags, `${prefix}${spec.description}${details ? ` [${details}]` : ''}`);
}
