/** Injection tokens for the repositories built before Nest starts (see app.module.ts). */
export const API_CONFIG = Symbol('API_CONFIG');
export const DATABASE = Symbol('DATABASE');
export const KV_STORE = Symbol('KV_STORE');
export const METAGRAPH = Symbol('METAGRAPH');
export const CATALOGUE = Symbol('CATALOGUE');
export const ZIPCODE_SECRET = Symbol('ZIPCODE_SECRET');
export const OPENAPI_DOCUMENT = Symbol('OPENAPI_DOCUMENT');
export const STORAGE = Symbol('STORAGE');
export const MINER_LABELS = Symbol('MINER_LABELS');
