import { DEFAULT_BACKOFF } from '@resi/client';
import { FileListingSource } from './file-source.js';
import type { ListingSource, RecentlyClosedRequest } from './listing-source.js';
import { RealtorListingSource } from './realtor-source.js';
import { RedfinListingSource } from './redfin-source.js';
import type { SourceConfig } from './source-config.js';
import { SourceHttpClient, type SourceHttpOptions } from './source-http.js';
import { ZillowRapidApiListingSource } from './zillow-rapidapi-source.js';

/** A source's settings as the registry reads them; `source` may name an adapter added to the table. */
export type AdapterConfig = Omit<SourceConfig, 'source'> & { readonly source: string };

/**
 * One listing source, registered in {@link LISTING_SOURCE_ADAPTERS}: its `--source` name, the
 * sites whose listing URLs it can verify, and how to build it. Adding a source is adding an entry.
 */
export interface ListingSourceAdapter {
  readonly name: string;
  /**
   * Hosts of the `source_url`s it yields and can verify (lower case, no `www.`; subdomains match).
   * `*` answers for any host: a local feed standing in for whatever site its rows came from.
   */
  readonly listingHosts: readonly string[];
  /** Builds the source; `http()` gives it the polite client (rate limit, proxy, retries) its settings ask for. */
  create(config: AdapterConfig, http: () => SourceHttpClient): ListingSource;
}

/** The built-in sources. */
export const LISTING_SOURCE_ADAPTERS: readonly ListingSourceAdapter[] = [
  {
    name: 'realtor',
    listingHosts: ['realtor.com'],
    create: (config, http) =>
      new RealtorListingSource({
        graphqlUrl: config.realtor.url,
        suggestUrl: config.realtor.suggestUrl,
        soldDays: config.realtor.soldDays,
        http: http(),
      }),
  },
  {
    name: 'zillow-rapidapi',
    listingHosts: ['zillow.com'],
    create: (config, http) => {
      if (config.zillow.key === undefined)
        throw new Error('the zillow-rapidapi source needs --zillow.key (RAPIDAPI_KEY)');
      return new ZillowRapidApiListingSource({
        baseUrl: config.zillow.url,
        apiKey: config.zillow.key,
        statusTypes: config.zillow.statusTypes,
        maxPages: config.zillow.maxPages,
        http: http(),
      });
    },
  },
  {
    name: 'redfin',
    listingHosts: ['redfin.com'],
    create: (config, http) =>
      new RedfinListingSource({ baseUrl: config.redfin.url, soldDays: config.redfin.soldDays, http: http() }),
  },
  {
    name: 'file',
    listingHosts: ['*'],
    create: (config) => {
      if (config.filePath === undefined) throw new Error('the file source needs --file.path');
      return new FileListingSource({ path: config.filePath });
    },
  },
];

/** The adapter registered under `name`; throws naming the known ones when there is none. */
export function adapterNamed(
  name: string,
  adapters: readonly ListingSourceAdapter[] = LISTING_SOURCE_ADAPTERS,
): ListingSourceAdapter {
  const adapter = adapters.find((candidate) => candidate.name === name);
  if (!adapter)
    throw new Error(`unknown source ${name} (known: ${adapters.map((candidate) => candidate.name).join(', ')})`);
  return adapter;
}

/**
 * The source `config.source` names, with its own polite HTTP client (rate, concurrency, proxy,
 * User-Agent, timeout, retries). `close()` on the source releases the client.
 */
export function createListingSource(
  config: AdapterConfig,
  onAttempt?: SourceHttpOptions['onAttempt'],
  adapters: readonly ListingSourceAdapter[] = LISTING_SOURCE_ADAPTERS,
): ListingSource {
  const adapter = adapterNamed(config.source, adapters);
  let client: SourceHttpClient | undefined;
  const http = () => {
    const { politeness } = config;
    client ??= new SourceHttpClient({
      source: config.source,
      userAgent: politeness.userAgent,
      requestsPerMinute: politeness.requestsPerMinute,
      maxConcurrent: politeness.concurrency,
      timeoutMs: politeness.timeoutMs,
      backoff: DEFAULT_BACKOFF,
      proxyUrl: politeness.proxyUrl,
      onAttempt,
    });
    return client;
  };
  const source = adapter.create(config, http);
  return {
    name: source.name,
    fetchZipcode: (request) => source.fetchZipcode(request),
    ...(source.fetchRecentlyClosed && {
      fetchRecentlyClosed: (request: RecentlyClosedRequest) => source.fetchRecentlyClosed!(request),
    }),
    close: async () => {
      await source.close?.();
      await client?.close();
    },
  };
}

/** The host of a listing URL as sources are matched on it: lower case, without `www.`; null when unreadable. */
export function listingHostOf(url: unknown): string | null {
  if (typeof url !== 'string' || url === '') return null;
  try {
    return new URL(url).hostname.toLowerCase().replace(/^www\./, '');
  } catch {
    return null;
  }
}

/** Whether `adapter` serves listing URLs of `host` by name (`*` adapters are not counted here). */
export function servesHost(adapter: Pick<ListingSourceAdapter, 'listingHosts'>, host: string): boolean {
  return adapter.listingHosts.some((served) => served !== '*' && (host === served || host.endsWith(`.${served}`)));
}

/** The registered source whose site a listing URL belongs to, e.g. `realtor` for a realtor.com URL; null for none. */
export function sourceOfUrl(
  url: unknown,
  adapters: readonly ListingSourceAdapter[] = LISTING_SOURCE_ADAPTERS,
): string | null {
  const host = listingHostOf(url);
  if (host === null) return null;
  return adapters.find((adapter) => servesHost(adapter, host))?.name ?? null;
}
