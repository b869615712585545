import { Router } from 'express';
import type { ServiceDeps } from '../../services/deps';

/** Placeholder: filled in by its issue. */
export function adminOrdersRoutes(_deps: ServiceDeps): Router {
  return Router();
}
