import axios, { type AxiosInstance } from 'axios';
import { config } from '../config';

/**
 * An HTTP client of another service of the platform: our service key on every call, a
 * timeout, no redirects, and every status handed back to the caller to judge.
 */
export function platformHttp(baseURL: string, timeout: number): AxiosInstance {
  return axios.create({
    baseURL,
    timeout,
    headers: { 'x-service-api-key': config.SERVICE_API_KEY, accept: 'application/json' },
    validateStatus: () => true,
    maxRedirects: 0,
  });
}
