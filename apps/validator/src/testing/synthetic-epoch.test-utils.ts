import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import {
  DATA_FORMAT_VERSION,
  LISTING_COLUMNS,
  type EpochAssignmentsResponse,
  type EpochSubmissionsResponse,
  LISTING_STATUSES,
  type Listing,
  type MinerSubmission,
  PROPERTY_TYPES,
  type StoredObject,
  epochAuditSeed,
  listingsFileEntryOf,
  minerObjectKey,
  serializeMinerUploadMetadata,
  ss58Of,
  writeListingsParquet,
} from '@resi/core';

/**
 * A synthetic epoch on local disk, laid out like the bucket, for the validator's tests and
 * benchmark: a "market" (the true listings of each real zipcode, which the local verification
 * feed serves), and miners whose uploads are built from it, honest or crafted to game.
 */

export const EPOCH_ID = '2025-10-01T16-00-00';
export const EPOCH_NONCE = '3f9a1c0de7b24a68';
export const at = (time: string) => new Date(`2025-10-01T${time}Z`);
export const EPOCH_START = at('16:00:00');
export const SUBMISSION_DEADLINE = at('20:00:00');
export const GRACE_END = at('20:15:00');

/** A deterministic SS58 hotkey per label. */
export function hotkeyOf(label: string): string {
  return ss58Of(createHash('sha256').update(`resi-synthetic-hotkey:${label}`).digest());
}

export interface SyntheticZipcode {
  readonly zipcode: string;
  readonly expectedListings: number;
  readonly isHoneypot: boolean;
}

/** The true listings per real zipcode (honeypots have none). */
export type Market = ReadonlyMap<string, readonly Listing[]>;

/** Deterministic pseudo-random integers from a label. */
function numberFrom(label: string, modulo: number): number {
  return createHash('sha256').update(label).digest().readUInt32BE(0) % modulo;
}

/** The market: `expectedListings` true listings in each real zipcode, values derived from their index. */
export function buildMarket(zipcodes: readonly SyntheticZipcode[]): Market {
  const market = new Map<string, Listing[]>();
  for (const { zipcode, expectedListings, isHoneypot } of zipcodes) {
    if (isHoneypot) continue;
    market.set(
      zipcode,
      Array.from({ length: expectedListings }, (_, index): Listing => {
        const key = `${zipcode}-${index}`;
        return {
          address: `${1 + numberFrom(`${key}:number`, 9000)} ${['Elm', 'Oak', 'Main', 'Cedar', 'Lake'][index % 5]} St, Unit ${index}, Springfield ${zipcode}`,
          zipcode,
          price: 80_000 + numberFrom(`${key}:price`, 2_000_000),
          bedrooms: index % 9 === 0 ? null : numberFrom(`${key}:beds`, 7),
          bathrooms: index % 11 === 0 ? null : 1 + numberFrom(`${key}:baths`, 6) * 0.5,
          sqft: index % 13 === 0 ? null : 400 + numberFrom(`${key}:sqft`, 5000),
          listing_date: `2025-09-${String(1 + numberFrom(`${key}:date`, 28)).padStart(2, '0')}`,
          property_type: PROPERTY_TYPES[numberFrom(`${key}:type`, PROPERTY_TYPES.length)]!,
          listing_status: LISTING_STATUSES[numberFrom(`${key}:status`, 2)]!,
          days_on_market: numberFrom(`${key}:dom`, 200),
          mls_id: index % 4 === 0 ? null : `MLS-${zipcode}-${index}`,
          source_url: `https://www.realtor.com/realestateandhomes-detail/M${zipcode}${String(index).padStart(6, '0')}`,
          scraped_timestamp: '',
        };
      }),
    );
  }
  return market;
}

/** An honest scrape of the market: every true listing, stamped from `scrapedFrom` on, one per 100 ms. */
export function honestListings(
  market: Market,
  scrapedFrom: Date,
  options: { zipcodes?: readonly string[] } = {},
): Listing[] {
  const listings: Listing[] = [];
  let tick = 0;
  for (const [zipcode, truth] of market) {
    if (options.zipcodes && !options.zipcodes.includes(zipcode)) continue;
    for (const listing of truth) {
      listings.push({ ...listing, scraped_timestamp: new Date(scrapedFrom.getTime() + 100 * tick++).toISOString() });
    }
  }
  return listings;
}

/** Invented listings in `zipcode`: plausible values no source has. */
export function fabricatedListings(zipcode: string, count: number, scrapedAt: Date): Listing[] {
  return Array.from({ length: count }, (_, index) => ({
    address: `${100 + index} Phantom Ave, Nowhere ${zipcode}`,
    zipcode,
    price: 450_000 + index * 1000,
    bedrooms: 3,
    bathrooms: 2,
    sqft: 1800,
    listing_date: '2025-09-15',
    property_type: 'house',
    listing_status: 'active',
    days_on_market: 16,
    mls_id: `FAKE-${zipcode}-${index}`,
    source_url: `https://www.realtor.com/realestateandhomes-detail/FAKE${zipcode}${index}`,
    scraped_timestamp: new Date(scrapedAt.getTime() + index * 1000).toISOString(),
  }));
}

/** What a miner puts in storage, and how it may break the rules. */
export interface SyntheticUpload {
  readonly label: string;
  readonly listings: readonly Listing[];
  /** Server-observed time of every object of the upload. */
  readonly uploadedAt: Date;
  /** Replaces the listings file's bytes (after `metadata.json` describes them) — a corrupt file. */
  readonly fileBytes?: (written: Uint8Array) => Uint8Array;
  /** Rows metadata.json claims for the (last) listings file instead of its true count. */
  readonly claimedRows?: number;
  /** Uploads the listings in this many parts, `listings-0001.parquet`, ... (PROTOCOL.md §6). */
  readonly parts?: number;
  /** A listings file metadata.json lists but storage never received. */
  readonly withoutFile?: string;
  /** Omit metadata.json. */
  readonly withoutMetadata?: boolean;
  readonly listingsClaimed?: number;
  readonly uid?: number;
  /** Another epoch than the synthetic one (a real API's). */
  readonly epoch?: { readonly id: string; readonly nonce: string; readonly start: Date };
  /**
   * metadata.json in the seed's format, as the deployed Python miner writes it: no epoch_nonce,
   * no per-file list, times from Python's `isoformat()` without a zone.
   */
  readonly seedFormat?: boolean;
  /** The epoch ID metadata.json names, when it is not the upload's (a mismatch). */
  readonly metadataEpochId?: string;
  /** Server-observed time of one object by file name, instead of `uploadedAt`. */
  readonly storedAt?: (name: string) => Date | undefined;
}

/** The seed's `metadata.json` ("Miner Data Upload Format"), as Python's `json.dumps(indent=2)` writes it. */
export function seedMetadataJson(fields: {
  epochId: string;
  hotkey: string;
  start: Date;
  end: Date;
  totalListings: number;
  zipcodesCompleted: number;
}): string {
  const pythonIso = (date: Date) =>
    date
      .toISOString()
      .replace('Z', '')
      .replace(/\.(\d{3})$/, '.$1000');
  return JSON.stringify(
    {
      epoch_id: fields.epochId,
      miner_hotkey: fields.hotkey,
      mining_start_time: pythonIso(fields.start),
      mining_end_time: pythonIso(fields.end),
      total_listings: fields.totalListings,
      zipcodes_completed: fields.zipcodesCompleted,
      data_format_version: '2.0',
    },
    null,
    2,
  );
}

/** A miner's objects written under `root` like the bucket, and its submission entry. */
export async function writeUpload(root: string, upload: SyntheticUpload): Promise<MinerSubmission> {
  const hotkey = hotkeyOf(upload.label);
  const epoch = upload.epoch ?? { id: EPOCH_ID, nonce: EPOCH_NONCE, start: EPOCH_START };
  const perFile = Math.ceil(upload.listings.length / (upload.parts ?? 1));
  const files = Array.from({ length: upload.parts ?? 1 }, (_, index) => {
    const name =
      upload.parts === undefined ? 'listings.parquet' : `listings-${String(index + 1).padStart(4, '0')}.parquet`;
    const listings = upload.listings.slice(index * perFile, (index + 1) * perFile);
    const written = writeListingsParquet(listings);
    const bytes = upload.fileBytes ? upload.fileBytes(written) : written;
    const last = index === (upload.parts ?? 1) - 1;
    const rows = last && upload.claimedRows !== undefined ? upload.claimedRows : listings.length;
    return { name, bytes, entry: listingsFileEntryOf(bytes, rows) };
  });
  const zipcodesCompleted = new Set(upload.listings.map((listing) => listing.zipcode)).size;
  const totalListings = files.reduce((sum, file) => sum + file.entry.rows, 0);
  const metadata = upload.seedFormat
    ? seedMetadataJson({
        epochId: upload.metadataEpochId ?? epoch.id,
        hotkey,
        start: epoch.start,
        end: upload.uploadedAt,
        totalListings,
        zipcodesCompleted,
      })
    : serializeMinerUploadMetadata({
        epoch_id: upload.metadataEpochId ?? epoch.id,
        miner_hotkey: hotkey,
        epoch_nonce: epoch.nonce,
        mining_start_time: epoch.start.toISOString(),
        mining_end_time: upload.uploadedAt.toISOString(),
        total_listings: totalListings,
        zipcodes_completed: zipcodesCompleted,
        data_format_version: DATA_FORMAT_VERSION,
        files: Object.fromEntries(files.map((file) => [file.name, file.entry])),
      });
  const objects: StoredObject[] = [];
  const put = async (name: string, content: Uint8Array | string) => {
    const key = minerObjectKey(hotkey, epoch.id, name);
    const data = typeof content === 'string' ? Buffer.from(content) : content;
    await mkdir(dirname(join(root, key)), { recursive: true });
    await writeFile(join(root, key), data);
    objects.push({
      key,
      size: data.byteLength,
      etag: `"${createHash('md5').update(data).digest('hex')}"`,
      lastModified: (upload.storedAt?.(name) ?? upload.uploadedAt).toISOString(),
      url: `https://storage.invalid/${key}`,
    });
  };
  for (const file of files) if (file.name !== upload.withoutFile) await put(file.name, file.bytes);
  if (!upload.withoutMetadata) await put('metadata.json', metadata);
  return {
    hotkey,
    uid: upload.uid ?? null,
    status: 'COMPLETED',
    listingsClaimed: upload.listingsClaimed ?? upload.listings.length,
    zipcodesCompleted: [],
    s3UploadComplete: true,
    s3UploadTimestamp: upload.uploadedAt.toISOString(),
    lastUpdateAt: upload.uploadedAt.toISOString(),
    manifest: null,
    objects,
  };
}

/** The audit seed the synthetic epoch's API reveals at the grace end. */
export const AUDIT_SEED = epochAuditSeed('synthetic-zipcode-secret', EPOCH_ID);

/** `GET /epoch/{id}` as the API serves it after the grace end: honeypots and the audit seed revealed. */
export function epochResponse(zipcodes: readonly SyntheticZipcode[]): EpochAssignmentsResponse {
  const total = zipcodes.reduce((sum, zipcode) => sum + zipcode.expectedListings, 0);
  return {
    success: true,
    epochId: EPOCH_ID,
    epochStart: EPOCH_START.toISOString(),
    epochEnd: SUBMISSION_DEADLINE.toISOString(),
    nonce: EPOCH_NONCE,
    targetListings: total,
    tolerancePercent: 10,
    submissionDeadline: SUBMISSION_DEADLINE.toISOString(),
    status: 'COMPLETED',
    auditSeed: AUDIT_SEED,
    metadata: {
      totalExpectedListings: total,
      zipcodeCount: zipcodes.length,
      algorithmVersion: 'synthetic',
      selectionSeed: 46,
    },
    zipcodes: zipcodes.map((zipcode) => ({
      zipcode: zipcode.zipcode,
      expectedListings: zipcode.expectedListings,
      state: 'IL',
      city: 'Springfield',
      county: 'Sangamon County',
      marketTier: 'STANDARD',
      geographicRegion: 'Midwest',
      isHoneypot: zipcode.isHoneypot,
    })),
  };
}

/** `GET /epochs/{id}/submissions`. */
export function submissionsResponse(submissions: readonly MinerSubmission[]): EpochSubmissionsResponse {
  return {
    success: true,
    epochId: EPOCH_ID,
    status: 'COMPLETED',
    submissionDeadline: SUBMISSION_DEADLINE.toISOString(),
    graceEnd: GRACE_END.toISOString(),
    submissions: [...submissions],
  };
}

/** The market as a JSON feed file, for the miner's `file` source used as a verification source. */
export async function writeMarketFeed(path: string, market: Market): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, JSON.stringify([...market.values()].flat()));
}

/** The crafted epoch of the anti-gaming tests: three real zipcodes and a honeypot. */
export const CRAFTED_ZIPCODES: SyntheticZipcode[] = [
  { zipcode: '62701', expectedListings: 40, isHoneypot: false },
  { zipcode: '62702', expectedListings: 60, isHoneypot: false },
  { zipcode: '62703', expectedListings: 100, isHoneypot: false },
  { zipcode: '62799', expectedListings: 50, isHoneypot: true },
];

/** The listings as a well-formed Parquet file whose `price` column holds text: a schema §7 refuses. */
export function priceAsTextParquet(listings: readonly Listing[]): Uint8Array {
  return new Uint8Array(
    parquetWriteBuffer({
      columnData: LISTING_COLUMNS.map((column) => ({
        name: column.name,
        data: listings.map((listing) => (column.name === 'price' ? String(listing.price) : listing[column.name])),
        type:
          column.name === 'price' || column.physicalType === 'BYTE_ARRAY' ? ('STRING' as const) : column.physicalType,
      })),
    }),
  );
}

/** Garbles the column data but keeps the footer, so only decoding the pages can tell. */
export function garblePages(bytes: Uint8Array): Uint8Array {
  const copy = bytes.slice();
  for (let index = 64; index < Math.min(copy.length - 2048, 4096); index++) copy[index] = (index * 151) & 0xff;
  return copy;
}

/**
 * Writes the crafted miners under `<root>/bucket` and the market feed at `<root>/market.json`:
 * honest; partial (two zipcodes); a fabricator in the honeypot; a copier of the honest miner
 * uploading later with every scrape instant and URL query changed; a grace-period upload and one
 * after the grace end; a truncated file; a file
 * with garbled pages; a file storing prices as text; metadata claiming more rows than the file
 * has; an inventor of listings in a real zipcode; an upload without metadata.json. Each scrapes at
 * its own time, as real miners do.
 */
export async function writeCraftedEpoch(root: string): Promise<{ submissions: MinerSubmission[]; marketPath: string }> {
  const market = buildMarket(CRAFTED_ZIPCODES);
  const bucket = join(root, 'bucket');
  const honest = honestListings(market, at('16:10:00'));
  const uploads: SyntheticUpload[] = [
    { label: 'honest', listings: honest, uploadedAt: at('19:00:00'), uid: 1 },
    {
      label: 'partial',
      listings: honestListings(market, at('16:20:00'), { zipcodes: ['62701', '62702'] }),
      uploadedAt: at('18:30:00'),
      uid: 2,
    },
    {
      label: 'fabricator',
      listings: [...honestListings(market, at('16:30:00')), ...fabricatedListings('62799', 12, at('17:00:00'))],
      uploadedAt: at('18:00:00'),
      uid: 3,
    },
    {
      label: 'copier',
      listings: honest.map((listing, index) => ({
        ...listing,
        source_url: `${listing.source_url}?ref=copy${index}`,
        scraped_timestamp: new Date(Date.parse(listing.scraped_timestamp) + 7_000).toISOString(),
      })),
      uploadedAt: at('19:30:00'),
      uid: 4,
    },
    { label: 'late', listings: honestListings(market, at('16:40:00')), uploadedAt: at('20:05:00'), uid: 5 },
    { label: 'too-late', listings: honestListings(market, at('16:50:00')), uploadedAt: at('20:20:00'), uid: 6 },
    {
      label: 'corrupt',
      listings: honestListings(market, at('17:00:00')),
      uploadedAt: at('18:45:00'),
      fileBytes: (bytes) => bytes.slice(0, bytes.length - 100),
      uid: 7,
    },
    {
      label: 'corrupt-pages',
      listings: honestListings(market, at('17:10:00')),
      uploadedAt: at('18:46:00'),
      fileBytes: garblePages,
      uid: 8,
    },
    {
      label: 'wrong-schema',
      listings: honestListings(market, at('17:15:00')),
      uploadedAt: at('18:46:30'),
      fileBytes: (_bytes) => priceAsTextParquet(honestListings(market, at('17:15:00'))),
      uid: 12,
    },
    {
      label: 'overclaimer',
      listings: honestListings(market, at('17:20:00')),
      uploadedAt: at('18:47:00'),
      claimedRows: 300,
      listingsClaimed: 300,
      uid: 9,
    },
    {
      label: 'inventor',
      listings: [...honestListings(market, at('17:30:00')), ...fabricatedListings('62703', 60, at('17:40:00'))],
      uploadedAt: at('18:48:00'),
      uid: 10,
    },
    { label: 'no-metadata', listings: honest, uploadedAt: at('18:49:00'), withoutMetadata: true, uid: 11 },
  ];
  const submissions: MinerSubmission[] = [];
  for (const upload of uploads) submissions.push(await writeUpload(bucket, upload));
  const marketPath = join(root, 'market.json');
  await writeMarketFeed(marketPath, market);
  return { submissions, marketPath };
}
