import type { Listing } from '@resi/core';
import { type CandidateListing, type SourceFeeds, type ZipcodeFeedAnswer, listingHostOf } from '@resi/sources';
import { type VerificationAnswer, type VerificationSource, verifiedValuesOf } from './verification-source.js';

/** The keys a listing is found under in a feed: its source URL, then its MLS id. */
function lookupKeys(listing: { readonly source_url?: unknown; readonly mls_id?: unknown }): string[] {
  const keys: string[] = [];
  if (typeof listing.source_url === 'string' && listing.source_url !== '') keys.push(`url:${listing.source_url}`);
  if (typeof listing.mls_id === 'string' && listing.mls_id !== '') keys.push(`mls:${listing.mls_id}`);
  return keys;
}

/**
 * Verification routed by source: each listing is looked up in the feed of the enabled source
 * matching its `source_url` host, so a row a miner took from Zillow is checked against Zillow,
 * never reported "not found" by realtor.com. A row whose site no enabled source serves has no
 * verdict (`source_unsupported`), nor does one whose feed failed or was past the budget.
 */
export class RoutedVerificationSource implements VerificationSource {
  private readonly indexes = new WeakMap<ZipcodeFeedAnswer, Map<string, CandidateListing>>();

  constructor(private readonly feeds: SourceFeeds) {}

  get name(): string {
    return this.feeds.name;
  }

  async lookup(listing: Listing): Promise<VerificationAnswer> {
    const source = this.feeds.sourceOfUrl(listing.source_url);
    if (source === null) {
      const host = listingHostOf(listing.source_url) ?? 'an unreadable URL';
      return {
        kind: 'unavailable',
        code: 'source_unsupported',
        reason: `source_unsupported: no enabled source serves ${host}`,
      };
    }
    const answer = await this.feeds.fetchZipcode(source, listing.zipcode);
    if (answer.kind === 'unavailable')
      return { kind: 'unavailable', code: answer.code, reason: `${answer.code}: ${answer.reason}` };
    let index = this.indexes.get(answer);
    if (!index) {
      index = new Map();
      for (const candidate of answer.listings)
        for (const key of lookupKeys(candidate)) if (!index.has(key)) index.set(key, candidate);
      this.indexes.set(answer, index);
    }
    for (const key of lookupKeys(listing)) {
      const candidate = index.get(key);
      if (candidate) return { kind: 'found', values: verifiedValuesOf(candidate) };
    }
    return { kind: 'not_found' };
  }

  async close(): Promise<void> {
    await this.feeds.close();
  }
}
