/**
 * The wire contract's version (docs/protocol.md). It changes when a route, commitment, shape or
 * rule changes in a way an older client or server cannot follow; additions that old parties
 * ignore (a new optional field, a new route) keep it.
 */
export const PROTOCOL_VERSION = '1';

/** The API path versions these programs speak: `/api/v1/...`. */
export const API_VERSIONS: readonly string[] = ['v1'];

/**
 * Whether a server announcing `protocolVersion` in its health check speaks our contract. A server
 * that announces none (the deployed Python API) is taken to speak version 1, which it defined.
 */
export function isCompatibleProtocol(protocolVersion: string | undefined): boolean {
  return (protocolVersion ?? '1') === PROTOCOL_VERSION;
}
