import pino from 'pino';
import { config } from './config';

/** JSON logs for machines; pretty lines only when a person watches a terminal. */
export const logger = pino({
  level: config.LOG_LEVEL,
  base: { service: config.SERVICE_NAME, pid: process.pid },
  redact: {
    paths: [
      'req.headers.authorization',
      'req.headers.cookie',
      'req.headers["x-service-api-key"]',
      'req.headers["x-api-key"]',
      'res.headers["set-cookie"]',
      '*.password',
      '*.EMAIL_PASSWORD',
      '*.JWT_SECRET',
      '*.SERVICE_API_KEY',
    ],
    censor: '[redacted]',
  },
  transport:
    process.stdout.isTTY && config.ENVIRONMENT !== 'test'
      ? { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' } }
      : undefined,
});

export type Logger = typeof logger;
