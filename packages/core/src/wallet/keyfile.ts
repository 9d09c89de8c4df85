import { z } from 'zod';

/**
 * The keyfile format of btcli / `bittensor-wallet`: one JSON object per key, hex fields with a
 * `0x` prefix. Current `bittensor-wallet` (Rust) omits absent fields and writes compact JSON; older
 * Python releases wrote every field, `null` when absent, with spaces after separators. Both read.
 */

/** How a btcli keyfile may be encrypted, named as `bittensor-wallet` names them. */
export type KeyfileEncryption = 'NaCl' | 'Ansible Vault' | 'legacy';

const ENCRYPTION_MARKERS: ReadonlyArray<readonly [KeyfileEncryption, string]> = [
  ['NaCl', '$NACL'],
  ['Ansible Vault', '$ANSIBLE_VAULT'],
  // Fernet tokens, from bittensor releases before 6.
  ['legacy', 'gAAAAA'],
];

/** The encryption of keyfile contents, by the prefixes `bittensor-wallet` itself checks; `null` when plain. */
export function keyfileEncryptionOf(contents: Uint8Array): KeyfileEncryption | null {
  const head = Buffer.from(contents.subarray(0, 16)).toString('latin1');
  for (const [encryption, marker] of ENCRYPTION_MARKERS) if (head.startsWith(marker)) return encryption;
  return null;
}

const optionalText = z.string().nullish();

/** Fields of a btcli keyfile. A hotkey file has all six; `coldkeypub.txt` only the public three. */
export const btcliKeyfileSchema = z.object({
  accountId: optionalText,
  publicKey: optionalText,
  privateKey: optionalText,
  secretPhrase: optionalText,
  secretSeed: optionalText,
  ss58Address: optionalText,
});

export type BtcliKeyfile = z.infer<typeof btcliKeyfileSchema>;

const FIELD_ORDER = ['accountId', 'publicKey', 'privateKey', 'secretPhrase', 'secretSeed', 'ss58Address'] as const;

/**
 * Serialises keyfile fields the way current `bittensor-wallet` does: compact JSON, absent fields
 * left out. (Its key order follows a Rust HashMap, i.e. none; ours is fixed for stable files.)
 */
export function btcliKeyfileJson(fields: BtcliKeyfile): string {
  const present: Record<string, string> = {};
  for (const name of FIELD_ORDER) {
    const value = fields[name];
    if (typeof value === 'string') present[name] = value;
  }
  return JSON.stringify(present);
}

/** `0x`-prefixed lowercase hex, the encoding of every binary keyfile field. */
export function keyfileHex(bytes: Uint8Array): string {
  return `0x${Buffer.from(bytes).toString('hex')}`;
}

/**
 * Decodes a binary keyfile field of `length` bytes; `0x` optional (bittensor strips it when
 * reading). Returns `null` when the value is not exactly that much hex.
 */
export function bytesOfKeyfileHex(value: string, length: number): Uint8Array | null {
  const digits = value.startsWith('0x') || value.startsWith('0X') ? value.slice(2) : value;
  if (digits.length !== length * 2 || !/^[0-9a-fA-F]*$/.test(digits)) return null;
  return Uint8Array.from(Buffer.from(digits, 'hex'));
}
