import type { DashboardEpochResponse, DashboardOverviewResponse, HealthcheckResponse } from '@resi/core';

/** An API answer that is not 2xx, with the server's Retry-After when it gave one. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly retryAfterSeconds: number | undefined,
  ) {
    super(message);
  }
}

async function getJson<T>(path: string): Promise<T> {
  const response = await fetch(path, { headers: { accept: 'application/json' }, cache: 'no-store' });
  if (!response.ok) {
    const retry = Number(response.headers.get('retry-after'));
    let message = `${path}: HTTP ${response.status}`;
    try {
      message = ((await response.json()) as { message?: string }).message ?? message;
    } catch {
      // Not a JSON error body (e.g. a proxy's page): the status line says enough.
    }
    throw new ApiError(message, response.status, Number.isFinite(retry) && retry > 0 ? retry : undefined);
  }
  return (await response.json()) as T;
}

/** One poll of the dashboard: a single rate-limited request (the public per-IP budget is shared). */
export const fetchOverview = () => getJson<DashboardOverviewResponse>('/api/v1/dashboard/overview');

/** `/healthcheck` is not rate-limited and always answers 200 with `status` ok or degraded. */
export const fetchHealth = () => getJson<HealthcheckResponse>('/healthcheck');

/** A past epoch's zipcodes; once it is COMPLETED they never change. */
export const fetchEpoch = (epochId: string) =>
  getJson<DashboardEpochResponse>(`/api/v1/dashboard/epochs/${encodeURIComponent(epochId)}`);
