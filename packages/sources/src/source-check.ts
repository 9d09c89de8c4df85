import { type ListingRejectReason, validateListing } from '@resi/core';
import { SourceError } from './listing-source.js';
import {
  type AdapterConfig,
  LISTING_SOURCE_ADAPTERS,
  type ListingSourceAdapter,
  adapterNamed,
} from './source-registry.js';
import { SourceHttpClient } from './source-http.js';

/** What a source check found: the source answered with listings, or why it did not. */
export type SourceCheckOutcome =
  | 'ok'
  /** Answered in the expected shape, but with no listing for the zipcode. */
  | 'empty'
  /** 403, or a captcha page in place of data: use a proxy or a lower rate. */
  | 'blocked'
  /** 429: wait, or lower the rate. */
  | 'rate_limited'
  /** An answer the adapter cannot read, or rows none of which is a valid listing: the site changed. */
  | 'changed_shape'
  /** No answer: DNS, connection refused, timeout. */
  | 'unreachable'
  /** Any other refusal (401 bad key, 404, 5xx, …). */
  | 'failed';

export interface SourceCheckResult {
  readonly ok: boolean;
  readonly source: string;
  readonly zipcode: string;
  readonly outcome: SourceCheckOutcome;
  /** One sentence an operator can act on: what happened, then (on a failure) the fix. */
  readonly message: string;
  /** What happened (the start of `message`), and on a failure what to do about it (its end). */
  readonly detail: string;
  readonly fix?: string;
  /** Valid listings in the first page, and rejected rows by reason. */
  readonly listings: number;
  readonly rejected: Readonly<Partial<Record<ListingRejectReason, number>>>;
  /** HTTP requests made (each attempt). */
  readonly requests: number;
  readonly durationMs: number;
  /** The first valid listing, to eyeball. */
  readonly example?: Readonly<Record<string, unknown>>;
}

export interface SourceCheckOptions {
  readonly adapters?: readonly ListingSourceAdapter[];
  /** Give up after this long (default 30 s). */
  readonly timeoutMs?: number;
}

const ADVICE: Record<Exclude<SourceCheckOutcome, 'ok'>, string> = {
  empty: 'the source answered in the expected shape but has no listing in this zipcode; try a busier one',
  blocked: 'the site refuses this machine: use --source.proxy, a lower --source.rpm, or another network',
  rate_limited: 'the site says too many requests: wait, then lower --source.rpm',
  changed_shape: 'the answer is not in the shape this adapter reads: the site may have changed; please report it',
  unreachable: 'no answer: check the URL, DNS, the network or the proxy',
  failed: 'the site refused the request',
};

/** The fix for a failure, where the source or the error kind says more than the outcome. */
function adviceFor(outcome: Exclude<SourceCheckOutcome, 'ok'>, source: string, kind: string | undefined): string {
  if (source === 'file' && (outcome === 'unreachable' || outcome === 'failed' || outcome === 'changed_shape'))
    return 'check --file.path (RESI_FILE_PATH): a readable CSV/JSON/JSONL/Parquet file, or a directory of <zipcode>.<ext> files';
  if (kind === 'http_401' || kind === 'quota')
    return 'the API key is missing, wrong or out of quota: check --zillow.key (RAPIDAPI_KEY) and its plan';
  return ADVICE[outcome];
}

function outcomeOf(error: unknown): SourceCheckOutcome {
  if (!(error instanceof SourceError)) return 'failed';
  if (error.kind === 'missing') return 'unreachable';
  if (error.kind === 'http_403') return 'blocked';
  if (error.kind === 'http_429') return 'rate_limited';
  if (error.kind === 'malformed') return /captcha|robot|blocked/i.test(error.message) ? 'blocked' : 'changed_shape';
  if (error.kind === 'network') return 'unreachable';
  return 'failed';
}

/**
 * Asks one source for one zipcode, once: the first page only, no retry (a 429 is reported, not
 * waited out), and says what came back or why nothing did. Used by `resi sources check` so an
 * operator can test a source before mining, and reusable by `resi doctor`.
 */
export async function checkSource(
  config: AdapterConfig,
  zipcode: string,
  options: SourceCheckOptions = {},
): Promise<SourceCheckResult> {
  const started = performance.now();
  let requests = 0;
  const { politeness } = config;
  const http = new SourceHttpClient({
    source: config.source,
    userAgent: politeness.userAgent,
    requestsPerMinute: 0,
    maxConcurrent: 1,
    timeoutMs: Math.min(politeness.timeoutMs, options.timeoutMs ?? 30_000),
    backoff: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
    proxyUrl: politeness.proxyUrl,
    onAttempt: () => (requests += 1),
  });
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error('timed out')), options.timeoutMs ?? 30_000);
  const base = { source: config.source, zipcode };
  const finish = (
    outcome: SourceCheckOutcome,
    detail: string,
    found: Pick<SourceCheckResult, 'listings' | 'rejected' | 'example'> = { listings: 0, rejected: {} },
    kind?: string,
  ): SourceCheckResult => {
    const fix = outcome === 'ok' ? undefined : adviceFor(outcome, config.source, kind);
    return {
      ...base,
      ok: outcome === 'ok',
      outcome,
      message: fix === undefined ? detail : `${detail}: ${fix}`,
      detail,
      ...(fix === undefined ? {} : { fix }),
      ...found,
      requests,
      durationMs: Math.round(performance.now() - started),
    };
  };
  try {
    const source = adapterNamed(config.source, options.adapters ?? LISTING_SOURCE_ADAPTERS).create(config, () => http);
    const pages = source.fetchZipcode({ zipcode, expectedListings: 1, signal: controller.signal });
    const iterator = pages[Symbol.asyncIterator]();
    const first = await iterator.next();
    controller.abort(new Error('one page is enough'));
    await iterator.return?.();
    if (controller.signal.reason instanceof Error && controller.signal.reason.message === 'timed out')
      return finish('unreachable', `${config.source}: no answer within ${options.timeoutMs ?? 30_000} ms`);
    const page = first.done ? [] : first.value;
    const rejected: Partial<Record<ListingRejectReason, number>> = {};
    let listings = 0;
    let example: Record<string, unknown> | undefined;
    for (const candidate of page) {
      const checked = validateListing(candidate);
      if (checked.ok) {
        listings += 1;
        example ??= { ...checked.listing };
      } else {
        for (const reason of checked.reasons) rejected[reason] = (rejected[reason] ?? 0) + 1;
      }
    }
    const found = { listings, rejected, ...(example ? { example } : {}) };
    if (page.length === 0) return finish('empty', `${config.source}: no listings for ${zipcode}`, found);
    if (listings === 0)
      return finish('changed_shape', `${config.source}: ${page.length} rows, none a valid listing`, found);
    return finish(
      'ok',
      `${config.source}: ${listings} valid listing${listings === 1 ? '' : 's'} for ${zipcode} in the first page`,
      found,
    );
  } catch (error) {
    const outcome = controller.signal.aborted && !(error instanceof SourceError) ? 'unreachable' : outcomeOf(error);
    const kind = error instanceof SourceError ? error.kind : undefined;
    return finish(outcome, (error as Error).message ?? String(error), undefined, kind);
  } finally {
    clearTimeout(timer);
    await http.close();
  }
}
