import { createHmac } from 'node:crypto';

/**
 * The order in which listings are credited (PROTOCOL.md §8): each listing is credited once, to the
 * earliest listings file that holds it, as storage dated the file. A file, not a whole upload, is
 * the unit: an upload's time is its last object, so were files credited at their upload's time, one
 * dataset split over N hotkeys, each uploading its part as soon as it was collected, would beat
 * the same dataset under one hotkey; with each file credited at its own time, one hotkey uploading
 * the same files at the same instants is credited exactly as the N are. Storage stamps the time,
 * and rewriting a file before the grace end stamps it again, so a file's time is when its bytes
 * were final.
 *
 * These are consensus rules: validators ordering otherwise would write other results files.
 */

/** One listings file of one miner's accepted upload. */
export interface CreditFile {
  readonly hotkey: string;
  /** The file's place in the miner's upload (files in name order). */
  readonly fileIndex: number;
  /** When the file's listings count from: see {@link fileCreditTimeMs}. */
  readonly creditFromMs: number;
}

/**
 * When a file's listings count from: storage's time for the file, or the upload's time (its last
 * scored object) when the file was stored before the epoch began. A folder grant can write into
 * an epoch's folder ahead of it, and such a file must not outrank every upload of the epoch.
 */
export function fileCreditTimeMs(fileStoredAtMs: number, uploadedAtMs: number, epochStartMs: number): number {
  return fileStoredAtMs < epochStartMs ? uploadedAtMs : fileStoredAtMs;
}

/**
 * A miner's tie-break among files stored in the same instant (storage dates whole seconds):
 * HMAC-SHA256(auditSeed, `credit:{hotkey}`). The seed is revealed after the grace end, so no miner
 * can make a hotkey that wins ties, as it could if they went to the lowest hotkey.
 */
export function creditTieKey(auditSeed: string, hotkey: string): string {
  if (!/^[0-9a-f]{64}$/.test(auditSeed)) throw new RangeError('the audit seed must be 64 lowercase hex characters');
  return createHmac('sha256', Buffer.from(auditSeed, 'hex')).update(`credit:${hotkey}`, 'utf8').digest('hex');
}

/**
 * `files` in crediting order: by credit time, then {@link creditTieKey}, then hotkey (a tie of
 * HMACs, impossible in practice), then the file's place in its upload. Rows within a file follow
 * in file order.
 */
export function inCreditOrder<F extends CreditFile>(auditSeed: string, files: readonly F[]): F[] {
  const tieKeys = new Map<string, string>();
  const tieKey = (hotkey: string) => {
    let key = tieKeys.get(hotkey);
    if (key === undefined) tieKeys.set(hotkey, (key = creditTieKey(auditSeed, hotkey)));
    return key;
  };
  const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...files].sort(
    (a, b) =>
      a.creditFromMs - b.creditFromMs ||
      byText(tieKey(a.hotkey), tieKey(b.hotkey)) ||
      byText(a.hotkey, b.hotkey) ||
      a.fileIndex - b.fileIndex,
  );
}
