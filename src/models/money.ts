/**
 * Money is stored and computed as integer minor units (paise) so sums are exact
 * (DESIGN.md 5); the API converts at its edge. Every money field of every model uses this.
 */
export const minorUnits = {
  type: Number,
  validate: { validator: Number.isSafeInteger, message: '{PATH} must be an integer number of minor units' },
} as const;
