import { InvalidArgumentError, type Command } from 'commander';
import { loadHotkey, signCommitment, type WalletLocation } from '@resi/core';
import { reportingWalletErrors } from './cli-errors.js';
import { type PrintLine } from './keys.js';
import { addWalletOptions, walletLocationFromOptions, type WalletOptionValues } from './wallet-options.js';

/** Placeholders `resi sign` fills in, so one quoted template gives a matching timestamp and signature. */
const PLACEHOLDER = /\{([^{}]*)\}/g;
const KNOWN_PLACEHOLDERS = new Set(['timestamp', 'hotkey']);

/** What `resi sign` signed, as its `--json` output shows it. */
export interface SignedCommitment {
  readonly hotkey: string;
  readonly commitment: string;
  /** The Unix time (seconds) put in for `{timestamp}`, or `null` when the template had none. */
  readonly timestamp: number | null;
  /** Lowercase hex without `0x`, as Python's `wallet.hotkey.sign(...).hex()`. */
  readonly signature: string;
}

/**
 * Validates a commitment argument: not empty, and no placeholder other than `{timestamp}` and
 * `{hotkey}` (e.g. a forgotten `{epochId}` would otherwise be signed literally and rejected later).
 */
export function parseCommitmentTemplate(value: string): string {
  if (value.length === 0) throw new InvalidArgumentError('the commitment is empty.');
  for (const [, name] of value.matchAll(PLACEHOLDER)) {
    if (!KNOWN_PLACEHOLDERS.has(name ?? '')) {
      throw new InvalidArgumentError(`unknown placeholder {${name}}: only {timestamp} and {hotkey} are filled in.`);
    }
  }
  return value;
}

/** Fills `{timestamp}` and `{hotkey}` in a commitment template. */
export function fillCommitmentTemplate(template: string, values: { hotkey: string; timestamp: number }): string {
  return template.replace(PLACEHOLDER, (whole, name: string) =>
    name === 'timestamp' ? String(values.timestamp) : name === 'hotkey' ? values.hotkey : whole,
  );
}

/**
 * `resi sign`: signs a commitment with the wallet's hotkey exactly as a Python miner does and
 * prints the bare hex signature (or, with `json`, the hotkey, timestamp, commitment and signature).
 */
export async function runSign(
  template: string,
  location: WalletLocation,
  options: { json: boolean },
  print: PrintLine,
  nowMs: () => number = Date.now,
): Promise<SignedCommitment> {
  const hotkey = await loadHotkey(location);
  const usesTimestamp = template.includes('{timestamp}');
  const timestamp = Math.floor(nowMs() / 1000);
  const commitment = fillCommitmentTemplate(template, { hotkey: hotkey.address, timestamp });
  const signed: SignedCommitment = {
    hotkey: hotkey.address,
    commitment,
    timestamp: usesTimestamp ? timestamp : null,
    signature: signCommitment(commitment, hotkey.keypair),
  };
  print(options.json ? JSON.stringify(signed) : signed.signature);
  return signed;
}

/** Registers the `resi sign <commitment>` command. */
export function registerSignCommand(program: Command, print: PrintLine = console.log): void {
  addWalletOptions(
    program
      .command('sign')
      .description(
        "sign a commitment string with the wallet's hotkey (sr25519, as Python's wallet.hotkey.sign) and print the hex signature",
      )
      .argument(
        '<commitment>',
        'the exact string to sign; {timestamp} becomes the current Unix time and {hotkey} the hotkey address',
        parseCommitmentTemplate,
      )
      .option('--json', 'print {hotkey, commitment, timestamp, signature} as JSON instead of the bare signature', false)
      .addHelpText(
        'after',
        [
          '',
          'Examples:',
          '  TS=$(date +%s); SIG=$(resi sign "zipcode:assignment:current:$TS" --wallet.name miner)',
          '  curl "$API/api/v1/zipcode-assignments/current?hotkey=$HOTKEY&signature=$SIG&timestamp=$TS"',
          "  resi sign 'zipcode:assignment:current:{timestamp}' --json   # hotkey, timestamp and signature together",
        ].join('\n'),
      ),
  ).action(async function (this: Command, template: string, values: WalletOptionValues & { json?: boolean }) {
    await reportingWalletErrors(this, async () => {
      await runSign(template, walletLocationFromOptions(values), { json: values.json ?? false }, print);
    });
  });
}
