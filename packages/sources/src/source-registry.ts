import { DEFAULT_BACKOFF } from '@resi/client';
import { FileListingSource } from './file-source.js';
import type { ListingSource } from './listing-source.js';
import { RealtorListingSource } from './realtor-source.js';
import { RedfinListingSource } from './redfin-source.js';
import type { SourceConfig } from './source-config.js';
import { SourceHttpClient, type SourceHttpOptions } from './source-http.js';
import { ZillowRapidApiListingSource } from './zillow-rapidapi-source.js';

/**
 * The source `config.source` names, with its own polite HTTP client (rate, concurrency, proxy,
 * User-Agent, timeout, retries). `close()` on the source releases the client.
 */
export function createListingSource(config: SourceConfig, onAttempt?: SourceHttpOptions['onAttempt']): ListingSource {
  if (config.source === 'file') {
    if (config.filePath === undefined) throw new Error('the file source needs --file.path');
    return new FileListingSource({ path: config.filePath });
  }
  const { politeness } = config;
  const http = new SourceHttpClient({
    source: config.source,
    userAgent: politeness.userAgent,
    requestsPerMinute: politeness.requestsPerMinute,
    maxConcurrent: politeness.concurrency,
    timeoutMs: politeness.timeoutMs,
    backoff: DEFAULT_BACKOFF,
    proxyUrl: politeness.proxyUrl,
    onAttempt,
  });
  const source = sourceOver(config, http);
  return { name: source.name, fetchZipcode: (request) => source.fetchZipcode(request), close: () => http.close() };
}

function sourceOver(
  config: Pick<SourceConfig, 'source' | 'realtor' | 'zillow' | 'redfin'>,
  http: SourceHttpClient,
): ListingSource {
  switch (config.source) {
    case 'realtor':
      return new RealtorListingSource({
        graphqlUrl: config.realtor.url,
        suggestUrl: config.realtor.suggestUrl,
        soldDays: config.realtor.soldDays,
        http,
      });
    case 'zillow-rapidapi':
      if (config.zillow.key === undefined)
        throw new Error('the zillow-rapidapi source needs --zillow.key (RAPIDAPI_KEY)');
      return new ZillowRapidApiListingSource({
        baseUrl: config.zillow.url,
        apiKey: config.zillow.key,
        statusTypes: config.zillow.statusTypes,
        maxPages: config.zillow.maxPages,
        http,
      });
    case 'redfin':
      return new RedfinListingSource({ baseUrl: config.redfin.url, soldDays: config.redfin.soldDays, http });
    default:
      throw new Error(`unknown source ${config.source}`);
  }
}
