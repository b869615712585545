import path from 'node:path';
import pug from 'pug';

/** views/emails at the project root; the same three levels up from src/ and from dist/. */
const VIEWS = path.resolve(__dirname, '../../../views/emails');

export const EMAIL_TEMPLATES = [
  'order-confirmation',
  'status-update',
  'cancellation',
  'return-received',
  'return-reviewed',
  'return-completed',
  'tracking-updated',
  'overdue-digest',
] as const;
export type EmailTemplate = (typeof EMAIL_TEMPLATES)[number];

const compiled = new Map<EmailTemplate, pug.compileTemplate>();

/** Renders a template of views/emails (compiled once per process). */
export function renderTemplate(name: EmailTemplate, locals: Record<string, unknown>): string {
  let fn = compiled.get(name);
  if (!fn) {
    fn = pug.compileFile(path.join(VIEWS, `${name}.pug`), { basedir: VIEWS });
    compiled.set(name, fn);
  }
  return fn(locals);
}
