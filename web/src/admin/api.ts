/** The admin REST calls; both answer 403 to users without the admin flag. */
import type { BenchFigures, CapacityInput } from '../../../src/capacity/planner.js';
import type { AdminOverview } from '../../../src/protocol/admin.js';
import { apiBase } from '../session/auth.js';

export type Answer<T> = { ok: true; value: T } | { ok: false; status: number; message: string };

async function get<T>(path: string, token: string): Promise<Answer<T>> {
  try {
    const response = await fetch(`${apiBase()}${path}`, { headers: { authorization: `Bearer ${token}` } });
    const body = (await response.json().catch(() => null)) as unknown;
    if (response.ok) return { ok: true, value: body as T };
    const message = (body as { error?: { message?: string } } | null)?.error?.message ?? response.statusText;
    return { ok: false, status: response.status, message };
  } catch (error) {
    return { ok: false, status: 0, message: error instanceof Error ? error.message : String(error) };
  }
}

export function fetchOverview(token: string): Promise<Answer<AdminOverview>> {
  return get('/api/v1/admin/overview', token);
}

export interface CapacityBaseline {
  figures: BenchFigures;
  presets: Record<string, { label: string; input: CapacityInput }>;
}

export function fetchCapacityBaseline(token: string): Promise<Answer<CapacityBaseline>> {
  return get('/api/v1/admin/capacity', token);
}
