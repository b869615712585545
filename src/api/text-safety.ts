const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Strings the database cannot store: NUL, unpaired UTF-16 surrogates (PostgreSQL under FerretDB refuses them, MongoDB mangles them). */
export const unstorable = (s: string): boolean => s.includes('\u0000') || LONE_SURROGATE.test(s);

/** Text fit for identifiers, logs and the database: no control characters, no broken Unicode. */
export const printable = (s: string): boolean => !CONTROL.test(s) && !LONE_SURROGATE.test(s);
