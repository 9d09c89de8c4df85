import type { RealtorSearchResult } from '../realtor-source.js';
import type { ZillowProperty } from '../zillow-rapidapi-source.js';

/**
 * Responses in the formats the real sites serve, generated for tests (never recorded: no internet
 * here). Where each shape comes from is said beside it; README's "Fixtures" paragraph sums it up.
 */

/**
 * A realtor.com `home_search` result for home `index` in `zipcode`. Shape: the GraphQL fields
 * HomeHarvest (ZacharyHampton/HomeHarvest) requests from api.frontdoor.realtor.com and reads back.
 */
export function realtorResult(
  zipcode: string,
  index: number,
  overrides: Partial<RealtorSearchResult> = {},
): RealtorSearchResult {
  return {
    property_id: `${9_000_000 + index}`,
    listing_id: `${2_900_000 + index}`,
    status: 'for_sale',
    list_price: 300_000 + index * 1_000,
    list_date: '2025-09-15T14:02:11Z',
    last_sold_price: null,
    last_sold_date: null,
    permalink: `${100 + index}-Walnut-St_Philadelphia_PA_${zipcode}_M9${index}`,
    description: { type: 'single_family', beds: 3, baths: 2, baths_consolidated: '2.5', sqft: 1_400 + index },
    location: {
      address: { line: `${100 + index} Walnut St`, city: 'Philadelphia', state_code: 'PA', postal_code: zipcode },
    },
    source: { id: 'TREB', listing_id: `PAPH${zipcode}${index}` },
    flags: { is_pending: null, is_contingent: null },
    ...overrides,
  };
}

/**
 * A realtor.com result as its recently-closed searches answer (`status: sold` with `sold_date`,
 * `status: off_market` sorted by `last_update_date`): the same result shape with the status, the
 * sale fields and the `last_status_change_date` / `last_update_date` fields HomeHarvest requests
 * for its sold, pending and off-market listing types and filters on client-side.
 */
export function realtorClosedResult(
  zipcode: string,
  index: number,
  closed: { status: 'sold' | 'off_market'; on: string; soldPrice?: number },
): RealtorSearchResult {
  return realtorResult(zipcode, index, {
    status: closed.status,
    last_sold_price: closed.status === 'sold' ? (closed.soldPrice ?? 310_000 + index) : null,
    last_sold_date: closed.status === 'sold' ? closed.on : null,
    last_status_change_date: `${closed.on}T15:20:00Z`,
    last_update_date: `${closed.on}T15:21:00Z`,
  });
}

/** The suggest service's answer resolving `zipcode` to a postal code area (the location lookup HomeHarvest makes first). */
export function realtorSuggestion(zipcode: string): unknown {
  return {
    autocomplete: [
      {
        area_type: 'postal_code',
        _id: `postal_code:${zipcode}`,
        postal_code: zipcode,
        city: 'Philadelphia',
        state_code: 'PA',
      },
    ],
  };
}

/** A `home_search` answer. */
export function realtorSearchPage(total: number, results: RealtorSearchResult[]): unknown {
  return { data: { home_search: { __typename: 'HomeSearch', total, count: results.length, results } } };
}

/**
 * A `propertyExtendedSearch` property for home `index` in `zipcode`. Shape: the RapidAPI Zillow
 * answer the Python miner (resi-labs-ai/resi) parsed: `zpid`, `detailUrl`, `livingArea`, …
 */
export function zillowProperty(
  zipcode: string,
  index: number,
  overrides: Partial<ZillowProperty> = {},
): ZillowProperty {
  return {
    zpid: `${10_000_000 + index}`,
    address: `${200 + index} Pine St, Philadelphia, PA ${zipcode}`,
    price: 410_000 + index * 500,
    bedrooms: 2,
    bathrooms: 1,
    livingArea: 950 + index,
    listingStatus: 'FOR_SALE',
    propertyType: 'CONDO',
    daysOnZillow: 12,
    detailUrl: `/homedetails/${200 + index}-Pine-St-Philadelphia-PA-${zipcode}/${10_000_000 + index}_zpid/`,
    ...overrides,
  };
}

/**
 * A `propertyExtendedSearch` property as its recently-closed searches answer: `status_type=RecentlySold`
 * gives `listingStatus: RECENTLY_SOLD`, the sale price as `price` and `dateSold` in epoch milliseconds;
 * `status_type=ForSale&isPendingUnderContract=1` gives `PENDING` homes among those for sale. Shape
 * from the RapidAPI listing's documented parameters and answer fields (no recording: no internet here).
 */
export function zillowClosedProperty(
  zipcode: string,
  index: number,
  closed: { status: 'sold'; on: string; soldPrice?: number } | { status: 'pending' },
): ZillowProperty {
  return closed.status === 'sold'
    ? zillowProperty(zipcode, index, {
        listingStatus: 'RECENTLY_SOLD',
        price: closed.soldPrice ?? 420_000 + index,
        dateSold: Date.parse(`${closed.on}T08:00:00Z`),
      })
    : zillowProperty(zipcode, index, { listingStatus: 'PENDING' });
}

/** A `propertyExtendedSearch` page (`props`, `totalPages`, `currentPage`), as RapidAPI's Zillow answers it. */
export function zillowPage(page: number, totalPages: number, props: ZillowProperty[]): unknown {
  return { props, resultsPerPage: 41, totalPages, totalResultCount: totalPages * 41, currentPage: page };
}

/** The header row of Redfin's CSV download, column for column (the URL column's name carries its note). */
export const REDFIN_CSV_HEADER =
  'SALE TYPE,SOLD DATE,PROPERTY TYPE,ADDRESS,CITY,STATE OR PROVINCE,ZIP OR POSTAL CODE,PRICE,BEDS,BATHS,LOCATION,' +
  'SQUARE FEET,LOT SIZE,YEAR BUILT,DAYS ON MARKET,$/SQUARE FEET,HOA/MONTH,STATUS,NEXT OPEN HOUSE START TIME,' +
  'NEXT OPEN HOUSE END TIME,URL (SEE https://www.redfin.com/buy-a-home/comparative-market-analysis FOR INFO ON PRICING),' +
  'SOURCE,MLS#,FAVORITE,INTERESTED,LATITUDE,LONGITUDE';

/** The row Redfin's CSV inserts after the header when MLS rules hold some listings back. */
export const REDFIN_MLS_DISCLAIMER =
  '"In accordance with local MLS rules, some MLS listings are not included in the download"';

/** A Redfin CSV row for home `index` in `zipcode`, in the column order of Redfin's "Download All" CSV (REDFIN_CSV_HEADER). */
export function redfinRow(
  zipcode: string,
  index: number,
  options: { sold?: boolean; soldOn?: string; status?: 'Pending' | 'Contingent'; zip?: string } = {},
): string {
  const sold = options.sold ?? false;
  return [
    sold ? 'PAST SALE' : 'MLS Listing',
    sold ? (options.soldOn ?? 'September-20-2025') : '',
    'Townhouse',
    `${300 + index} Spruce St`,
    'Philadelphia',
    'PA',
    options.zip ?? zipcode,
    String(520_000 + index * 100),
    '3',
    '2.5',
    'Rittenhouse',
    String(1_600 + index),
    '',
    '1920',
    '21',
    '325',
    '',
    sold ? 'Sold' : (options.status ?? 'Active'),
    '',
    '',
    `https://www.redfin.com/PA/Philadelphia/${300 + index}-Spruce-St-${zipcode}/home/${70_000 + index}`,
    'TREB',
    `PAPH${80_000 + index}`,
    'N',
    'Y',
    '39.947',
    '-75.171',
  ].join(',');
}

/** Redfin's location autocomplete answer for a ZIP region, behind its `{}&&` guard. */
export function redfinAutocomplete(zipcode: string, regionId: number): string {
  return `{}&&${JSON.stringify({
    version: 1,
    errorMessage: 'Success',
    resultCode: 0,
    payload: {
      sections: [
        {
          rows: [
            {
              id: `2_${regionId}`,
              type: '2',
              name: zipcode,
              subName: 'Philadelphia, PA, USA',
              url: `/zipcode/${zipcode}`,
            },
          ],
        },
      ],
      exactMatch: { id: `2_${regionId}`, type: '2', name: zipcode, url: `/zipcode/${zipcode}` },
    },
  })}`;
}
