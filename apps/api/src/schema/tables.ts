import {
  bigint,
  boolean,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  real,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';

const instant = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** One row per epoch slot, whatever the number of replicas: the primary key is the epoch ID. */
export const epochs = pgTable('epochs', {
  id: text('id').primaryKey(),
  startAt: instant('start_at').notNull(),
  endAt: instant('end_at').notNull(),
  pendingAt: instant('pending_at').notNull(),
  submissionDeadline: instant('submission_deadline').notNull(),
  graceEndAt: instant('grace_end_at').notNull(),
  validationEndAt: instant('validation_end_at').notNull(),
  status: text('status').notNull(),
  nonce: text('nonce').notNull(),
  selectionSeed: bigint('selection_seed', { mode: 'number' }).notNull(),
  targetListings: integer('target_listings').notNull(),
  tolerancePercent: real('tolerance_percent').notNull(),
  totalExpectedListings: integer('total_expected_listings').notNull(),
  algorithmVersion: text('algorithm_version').notNull(),
  createdAt: instant('created_at').notNull().defaultNow(),
  updatedAt: instant('updated_at').notNull().defaultNow(),
});

/** The zipcodes of an epoch, identical for every miner; `isHoneypot` never leaves before COMPLETED. */
export const epochZipcodes = pgTable(
  'epoch_zipcodes',
  {
    epochId: text('epoch_id')
      .notNull()
      .references(() => epochs.id, { onDelete: 'cascade' }),
    zipcode: text('zipcode').notNull(),
    position: integer('position').notNull(),
    expectedListings: integer('expected_listings').notNull(),
    state: text('state').notNull(),
    city: text('city').notNull(),
    county: text('county').notNull(),
    marketTier: text('market_tier').notNull(),
    geographicRegion: text('geographic_region').notNull(),
    isHoneypot: boolean('is_honeypot').notNull(),
  },
  (t) => [primaryKey({ columns: [t.epochId, t.zipcode] }), index('epoch_zipcodes_zipcode_idx').on(t.zipcode)],
);

/** A miner's participation in an epoch: the latest status and what it declared it uploaded. */
export const submissions = pgTable(
  'submissions',
  {
    epochId: text('epoch_id')
      .notNull()
      .references(() => epochs.id, { onDelete: 'cascade' }),
    hotkey: text('hotkey').notNull(),
    status: text('status').notNull(),
    listingsScraped: integer('listings_scraped').notNull().default(0),
    s3UploadComplete: boolean('s3_upload_complete').notNull().default(false),
    s3UploadTimestamp: instant('s3_upload_timestamp'),
    /** Declared files {name, bytes, sha256}[] from the per-file upload route (Storage issue). */
    manifest: jsonb('manifest'),
    firstSeenAt: instant('first_seen_at').notNull().defaultNow(),
    lastUpdateAt: instant('last_update_at').notNull().defaultNow(),
    updates: integer('updates').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.epochId, t.hotkey] })],
);

/** Per-zipcode progress; an update never erases a zipcode reported earlier. */
export const submissionZipcodes = pgTable(
  'submission_zipcodes',
  {
    epochId: text('epoch_id').notNull(),
    hotkey: text('hotkey').notNull(),
    zipcode: text('zipcode').notNull(),
    listingsScraped: integer('listings_scraped').notNull(),
    completedAt: instant('completed_at').notNull(),
    updatedAt: instant('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.epochId, t.hotkey, t.zipcode] })],
);

/**
 * What validators found per zipcode, folded into an EMA of the expected listing count. The
 * selection reads `expectedListings` from here when present, the catalogue estimate otherwise.
 * `baseExpectedListings` is the count before the epoch `lastObservedEpochId` was folded in, so
 * that epoch's consensus can be recomputed as more validators report without folding it twice.
 */
export const zipcodeHistory = pgTable('zipcode_history', {
  zipcode: text('zipcode').primaryKey(),
  expectedListings: integer('expected_listings').notNull(),
  baseExpectedListings: integer('base_expected_listings'),
  observations: integer('observations').notNull().default(0),
  lastObservedEpochId: text('last_observed_epoch_id'),
  updatedAt: instant('updated_at').notNull().defaultNow(),
});

/**
 * Each validator's observed listing count per real zipcode of an epoch (from its published
 * results file), with its stake when it reported: the inputs of the stake-weighted consensus
 * that feeds `zipcode_history`. A validator's new report of an epoch replaces its rows.
 */
export const zipcodeObservations = pgTable(
  'zipcode_observations',
  {
    epochId: text('epoch_id')
      .notNull()
      .references(() => epochs.id, { onDelete: 'cascade' }),
    validatorHotkey: text('validator_hotkey').notNull(),
    zipcode: text('zipcode').notNull(),
    observedListings: integer('observed_listings').notNull(),
    stake: doublePrecision('stake').notNull(),
  },
  (t) => [primaryKey({ columns: [t.epochId, t.validatorHotkey, t.zipcode] })],
);

/**
 * What each validator reported for an epoch (`POST /api/v1/validation-results`): the digest of its
 * published results file. One row per validator and epoch; a new report replaces the old one.
 */
export const validationReports = pgTable(
  'validation_reports',
  {
    epochId: text('epoch_id')
      .notNull()
      .references(() => epochs.id, { onDelete: 'cascade' }),
    validatorHotkey: text('validator_hotkey').notNull(),
    resultsSha256: text('results_sha256').notNull(),
    minersScored: integer('miners_scored'),
    reportedAt: instant('reported_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.epochId, t.validatorHotkey] })],
);

/**
 * What every miner's folder of an epoch held when the API first listed it after the grace end,
 * before anything that tells what will be checked (audit seed, honeypot flags) was revealed.
 * Written once per epoch (the primary key and DO NOTHING make a racing replica's listing lose),
 * never rewritten: validators score exactly this record.
 */
export const epochSnapshots = pgTable('epoch_snapshots', {
  epochId: text('epoch_id')
    .primaryKey()
    .references(() => epochs.id, { onDelete: 'cascade' }),
  takenAt: instant('taken_at').notNull(),
});

/** One miner's objects in an epoch snapshot, as `minerEpochObjects` capped them (no URLs). */
export const epochSnapshotMiners = pgTable(
  'epoch_snapshot_miners',
  {
    epochId: text('epoch_id')
      .notNull()
      .references(() => epochSnapshots.epochId, { onDelete: 'cascade' }),
    hotkey: text('hotkey').notNull(),
    /** `{key, size, etag, lastModified}[]` in listing order, `lastModified` an ISO instant. */
    objects: jsonb('objects').notNull(),
    /** `{objects, bytes, reason}` when objects past the caps were left out, else null. */
    objectsIgnored: jsonb('objects_ignored'),
  },
  (t) => [primaryKey({ columns: [t.epochId, t.hotkey] })],
);
