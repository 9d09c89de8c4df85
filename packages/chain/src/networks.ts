/**
 * Where subtensor is and which subnet is ours. Names and defaults follow the Python SDK's
 * `--subtensor.network` / `--subtensor.chain_endpoint` so operators reuse what they know.
 */

/** The named networks and their public endpoints; resi's subnet is 46 on mainnet, 428 on testnet. */
export const SUBTENSOR_NETWORKS = {
  finney: { endpoint: 'wss://entrypoint-finney.opentensor.ai:443', netuid: 46 },
  test: { endpoint: 'wss://test.finney.opentensor.ai:443', netuid: 428 },
  local: { endpoint: 'ws://127.0.0.1:9944', netuid: undefined },
} as const satisfies Record<string, { endpoint: string; netuid: number | undefined }>;

export type SubtensorNetwork = keyof typeof SUBTENSOR_NETWORKS;

/** Type guard for `SUBTENSOR_NETWORK` / `--subtensor.network` values. */
export function isSubtensorNetwork(value: string): value is SubtensorNetwork {
  return Object.hasOwn(SUBTENSOR_NETWORKS, value);
}

/** A resolved connection target. */
export interface SubtensorTarget {
  /** The named network, or `custom` when only an endpoint was given. */
  network: SubtensorNetwork | 'custom';
  /** Websocket URL (`ws://` or `wss://`). */
  endpoint: string;
  netuid: number;
}

/**
 * Resolves network, endpoint and netuid: an explicit endpoint wins over the network's (as
 * `--subtensor.chain_endpoint` does in the SDK), an explicit netuid over the network's default.
 * A local or custom chain has no default netuid, so one must be given.
 */
export function resolveSubtensorTarget(options: {
  network?: string | undefined;
  endpoint?: string | undefined;
  netuid?: number | undefined;
}): SubtensorTarget {
  const { network, endpoint, netuid } = options;
  if (network !== undefined && !isSubtensorNetwork(network)) {
    throw new Error(
      `unknown subtensor network "${network}": use ${Object.keys(SUBTENSOR_NETWORKS).join(', ')} or an endpoint`,
    );
  }
  if (endpoint !== undefined && !/^wss?:\/\/[^\s]+$/.test(endpoint)) {
    throw new Error(`subtensor endpoint "${endpoint}" must be a ws:// or wss:// URL`);
  }
  const preset =
    network === undefined
      ? endpoint === undefined
        ? SUBTENSOR_NETWORKS.finney
        : undefined
      : SUBTENSOR_NETWORKS[network];
  const resolvedNetuid = netuid ?? preset?.netuid;
  if (resolvedNetuid === undefined) {
    throw new Error(
      `a netuid is required with ${network === undefined ? 'a custom endpoint' : `network "${network}"`}`,
    );
  }
  if (!Number.isInteger(resolvedNetuid) || resolvedNetuid < 0 || resolvedNetuid > 65_535) {
    throw new Error(`netuid ${resolvedNetuid} is not a u16 integer`);
  }
  return {
    network: network ?? (endpoint === undefined ? 'finney' : 'custom'),
    endpoint: endpoint ?? preset!.endpoint,
    netuid: resolvedNetuid,
  };
}
