import type { KeyObject } from 'node:crypto';
import type { LookupFunction } from 'node:net';

/*
 * Where a library's published types are narrower than what it takes at run time. Every
 * double cast of the source tree lives here (lint refuses one anywhere else), each with why
 * it is sound, so none hides a real type error.
 */

/**
 * passport-jwt types `secretOrKey` as a string or Buffer; jsonwebtoken, which it hands the
 * key to, takes a KeyObject too, and needs one for HS256 to skip trying the secret as a
 * public key first (6% of the API's CPU on get-order, measured).
 */
export const jwtSecretOrKey = (key: KeyObject): string => key as unknown as string;

/** One address of a lookup's answer, as a socket takes it. */
interface LookupAddress {
  address: string;
  family: number;
}

/**
 * net's LookupFunction types its callback for one address; when the caller asks for all
 * (`options.all`, as the HTTP agent does for happy eyeballs), Node calls it with the list.
 */
export const answerEveryAddress = (
  callback: Parameters<LookupFunction>[2],
): ((err: null, addresses: LookupAddress[]) => void) =>
  callback as unknown as (err: null, addresses: LookupAddress[]) => void;
