import type { DashboardZipcode } from '@resi/core';
import { geoAlbersUsa, geoPath } from 'd3-geo';
import { feature, mesh } from 'topojson-client';
import states from 'us-atlas/states-albers-10m.json';
import { s } from './dom.js';
import { count } from './format.js';

/**
 * The US map: us-atlas' states, already projected (Albers USA, 975×610), drawn once; zipcodes are
 * projected with the same projection us-atlas used, so dots land on their states. No tiles, no
 * network: the outline ships inside the bundle.
 */
const WIDTH = 975;
const HEIGHT = 610;
const projection = geoAlbersUsa().scale(1300).translate([487.5, 305]);
const identity = geoPath();
const STATE_SHAPES = identity(feature(states, 'states')) ?? '';
const STATE_BORDERS = identity(mesh(states, states.objects.states, (a, b) => a !== b)) ?? '';
const NATION = identity(feature(states, 'nation')) ?? '';

/** Pixel position of a zipcode on the map, or null off the projection (e.g. territories). */
export function mapPosition(zipcode: Pick<DashboardZipcode, 'lat' | 'lon'>): [number, number] | null {
  if (zipcode.lat === null || zipcode.lon === null) return null;
  return projection([zipcode.lon, zipcode.lat]);
}

/** Dot radius: area grows with expected listings, so big markets read big without hiding small ones. */
export function dotRadius(expectedListings: number): number {
  return Math.min(14, 2.5 + Math.sqrt(Math.max(0, expectedListings)) / 4);
}

/** The map for one epoch's zipcodes (honeypots look like any other: the API never tells them apart). */
export function usMap(zipcodes: readonly DashboardZipcode[]): SVGElement {
  const dots = zipcodes
    .map((z) => ({ z, at: mapPosition(z) }))
    .filter((d): d is { z: DashboardZipcode; at: [number, number] } => d.at !== null)
    // Large dots first so small ones stay clickable on top.
    .sort((a, b) => b.z.expectedListings - a.z.expectedListings)
    .map(({ z, at: [x, y] }) =>
      s(
        'circle',
        {
          cx: x.toFixed(1),
          cy: y.toFixed(1),
          r: dotRadius(z.expectedListings).toFixed(1),
          class: `dot tier-${z.marketTier.toLowerCase()}`,
          'data-zipcode': z.zipcode,
        },
        s(
          'title',
          {},
          `${z.zipcode} ${z.city}, ${z.state} — ${count(z.expectedListings)} expected listings (${z.marketTier.toLowerCase()})`,
        ),
      ),
    );
  return s(
    'svg',
    { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, class: 'map', role: 'img', 'aria-label': `${dots.length} assigned zipcodes` },
    s('path', { d: NATION, class: 'nation' }),
    s('path', { d: STATE_SHAPES, class: 'states' }),
    s('path', { d: STATE_BORDERS, class: 'borders' }),
    s('g', { class: 'dots' }, dots),
  );
}
