import type { Job } from 'bullmq';

type Sample = { name: string; labels: Record<string, string>; value: number };

/** The samples of a Prometheus text exposition (comments skipped). */
export function parseSamples(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!m) throw new Error(`not a sample line: ${line}`);
      const labels = Object.fromEntries(
        [...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map(([, k, v]) => [k, v]),
      );
      return { name: m[1], labels, value: Number(m[3]) };
    });
}

/** A reading of one metrics endpoint: the value of the sample with exactly these labels. */
export type Reading = (name: string, labels: Record<string, string>) => number | undefined;

/** Scrapes `url` with the bearer token; throws unless it answers 200. */
export async function scrapeMetrics(url: string, token: string): Promise<Reading> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
  const samples = parseSamples(await res.text());
  return (name, labels) =>
    samples.find(
      (s) =>
        s.name === name &&
        Object.keys(labels).length === Object.keys(s.labels).length &&
        Object.entries(labels).every(([k, v]) => s.labels[k] === v),
    )?.value;
}

/** What a job that was skipped returned: its reason, or null for a job that did its work. */
export const skipReasonOf = (job: Job | undefined): string | null => {
  const value: unknown = job?.returnvalue;
  return typeof value === 'object' && value !== null && 'skipped' in value && typeof value.skipped === 'string'
    ? value.skipped
    : null;
};
