/**
 * The admin REST routes: the dashboard's first paint (`GET /api/v1/admin/overview`)
 * and the capacity planner's measured figures (`GET /api/v1/admin/capacity`).
 * Authenticated like every API route, then admins only (403 for others).
 */

import { loadBenchFigures } from '../capacity/bench-figures.js';
import { DEFAULT_FIGURES, PRESETS } from '../capacity/planner.js';
import type { Accounts } from '../domain/accounts.js';
import { authenticateHook } from '../gateway/http/authenticate.js';
import type { App } from '../gateway/http/deps.js';
import type { AdminService } from './service.js';

export function registerAdminRoutes(app: App, accounts: Accounts, admin: AdminService): void {
  app.register(async (scope) => {
    scope.addHook(
      'onRequest',
      authenticateHook(accounts, () => {}),
    );
    scope.addHook('preHandler', async (request) => admin.requireAdmin(request.callerId));

    scope.get('/api/v1/admin/overview', async () => admin.overview());

    scope.get('/api/v1/admin/capacity', async () => {
      const figures = await loadBenchFigures().catch(() => DEFAULT_FIGURES);
      return { figures, presets: PRESETS };
    });
  });
}
