/**
 * Secrets as an operator generates them (`openssl rand -hex 32`), for tests that start in
 * production or staging: long enough and random enough for its checks. Test values only.
 */
export const GENERATED_SECRETS = {
  JWT_SECRET: 'd446d2834c2da450af2b9b6f68cc1051fdb911f8f9777ae9f7cce48aaa88ea1c',
  SERVICE_API_KEY: '1ce87e8ccf07fa7f09e6a12a8a2894c25f8929a39dd18028cd4239eeab44bb31',
  BOARD_PASSWORD: '89eb6b0bda40d4035afd3c5db00fed011beb3a7ef5e7ea5cd72e6f275135c111',
  METRICS_TOKEN: '1d0195ea3ae89d738d3a01b334fc641505c3631c30daf3c512120c25422053cc',
  WEBHOOK_SECRET_KEY: 'Qm8xAGv9tZ3hYl1cK2nE7wR4uJ6sD0fP5gT8iO3bX1M=',
} as const;
