import { execFileSync } from 'node:child_process';
import path from 'node:path';

/** Brings the local services (FerretDB, Redis) up once for the whole run, if they are not. */
export default function globalSetup(): void {
  execFileSync('bash', [path.join(__dirname, '../../scripts/services.sh'), 'up'], { stdio: 'inherit' });
}
