import { Router } from 'express';
import type { ServiceDeps } from '../../services/deps';

/** Placeholder: filled in by its issue. */
export function deadLettersRoutes(_deps: ServiceDeps): Router {
  return Router();
}
