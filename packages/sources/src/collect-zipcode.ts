import { type Listing, type ListingRejectReason, validateListing } from '@resi/core';
import type { CandidateListing, ListingSource, ZipcodeRequest } from './listing-source.js';

/** What collecting one zipcode produced. */
export interface ZipcodeCollection {
  readonly zipcode: string;
  /** Valid, de-duplicated listings in the zipcode, in the order the source returned them. */
  readonly listings: Listing[];
  /** Rejected candidates by core reject reason (one candidate may count under several). */
  readonly rejects: Partial<Record<ListingRejectReason, number>>;
  /** Candidates dropped because an earlier one was the same listing. */
  readonly duplicates: number;
  readonly pages: number;
  /** True when the deadline (or shutdown) stopped the source before it finished. */
  readonly cutShort: boolean;
}

export interface CollectProgress {
  readonly zipcode: string;
  readonly pages: number;
  readonly listings: number;
}

/**
 * The identity of a listing for de-duplication: its MLS id where the source has one (unique per
 * listing), else its URL, else its address; with the status, because a home's past sale and its
 * current listing are two listings.
 */
export function listingIdentity(listing: Listing): string {
  const id = listing.mls_id ?? listing.source_url ?? listing.address.toLowerCase().replace(/\s+/g, ' ');
  return `${id}|${listing.listing_status}`;
}

/**
 * Runs `source` for one zipcode and keeps what the protocol accepts: validates each candidate
 * with the core schema (a listing in another zipcode counts as `zipcode_not_assigned`), drops
 * duplicates, and counts rejects by reason. When `request.signal` aborts mid-way, returns what
 * was collected so far with `cutShort` set; a source failure is thrown.
 */
export async function collectZipcode(
  source: ListingSource,
  request: ZipcodeRequest,
  onProgress?: (progress: CollectProgress) => void,
): Promise<ZipcodeCollection> {
  const assignedZipcodes = new Set([request.zipcode]);
  const seen = new Set<string>();
  const listings: Listing[] = [];
  const rejects: Partial<Record<ListingRejectReason, number>> = {};
  let duplicates = 0;
  let pages = 0;
  let cutShort = false;
  const accept = (candidate: CandidateListing) => {
    const result = validateListing(candidate, { assignedZipcodes });
    if (!result.ok) {
      for (const reason of result.reasons) rejects[reason] = (rejects[reason] ?? 0) + 1;
      return;
    }
    const identity = listingIdentity(result.listing);
    if (seen.has(identity)) {
      duplicates += 1;
      return;
    }
    seen.add(identity);
    listings.push(result.listing);
  };
  try {
    for await (const page of source.fetchZipcode(request)) {
      pages += 1;
      for (const candidate of page) accept(candidate);
      onProgress?.({ zipcode: request.zipcode, pages, listings: listings.length });
      if (request.signal.aborted) {
        cutShort = true;
        break;
      }
    }
  } catch (error) {
    if (!request.signal.aborted) throw error;
    cutShort = true;
  }
  return { zipcode: request.zipcode, listings, rejects, duplicates, pages, cutShort };
}
