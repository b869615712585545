import axios, { type AxiosInstance } from 'axios';

/** Where another service of the platform answers, how long it is given, and our key for it. */
export interface PeerOptions {
  url: string;
  timeoutMs: number;
  serviceApiKey: string;
}

/**
 * An HTTP client of another service of the platform: our service key on every call, a
 * timeout, no redirects, and every status handed back to the caller to judge.
 */
export function platformHttp(peer: PeerOptions): AxiosInstance {
  return axios.create({
    baseURL: peer.url,
    timeout: peer.timeoutMs,
    headers: { 'x-service-api-key': peer.serviceApiKey, accept: 'application/json' },
    validateStatus: () => true,
    maxRedirects: 0,
  });
}
