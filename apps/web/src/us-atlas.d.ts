// Declared by hand so the type-checker does not infer a type from 80 kB of coordinates.
declare module 'us-atlas/states-albers-10m.json' {
  import type { GeometryCollection, Topology } from 'topojson-specification';
  const topology: Topology<{ states: GeometryCollection; nation: GeometryCollection }>;
  export default topology;
}
