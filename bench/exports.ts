import { rm } from 'node:fs/promises';
import { adminToken, startWorkers, type ServiceProcess } from './stack';
import { log, memoryOf, round, sampleRss, sleep } from './util';

/** The heap cap of the second measurement at each size: well above the ~35 MB the worker keeps live. */
export const EXPORT_HEAP_CAP_MB = 64;

export interface ExportResult {
  orders: number;
  /** null: the worker as pm2 runs it (no heap cap: V8 collects lazily, so RSS follows the garbage made);
   * a number: the same worker with its V8 heap capped at this many MB, where RSS shows what the export keeps. */
  heapCapMb: number | null;
  status: 'ok' | 'failed';
  note?: string;
  rows?: number;
  /** From the export's record: asked for → completed (the job's pickup included). */
  seconds?: number;
  rowsPerSec?: number;
  /** The exports worker, a fresh process per export: RSS once started, and its peak (VmHWM) after the export. */
  workerStartRssMb?: number;
  workerPeakRssMb?: number;
  /** The download through the API: bytes, seconds, MB/s. */
  fileMb?: number;
  downloadSeconds?: number;
}

interface ExportView {
  exportId: string;
  state: string;
  rowCount: number | null;
  createdAt: string;
  finishedAt: string | null;
  error: string | null;
}

/**
 * One export of every order through the API, written by a fresh exports worker
 * (dist/workers/main.js exports, as pm2 runs it, or with its heap capped): rows/s from the
 * export's own record, and the worker's peak RSS. The rows stream from a cursor to the file,
 * so what the export keeps must not grow with the count: with the heap capped, peak RSS is
 * the same at 1k and 100k orders (uncapped, V8 lets garbage pile up before collecting, and
 * RSS says more about the collector than the export). Then the file is downloaded through
 * the API and counted.
 */
export async function measureExport(
  apiUrl: string,
  orders: number,
  env: Record<string, string>,
  capMs: number,
  heapCapMb: number | null,
): Promise<ExportResult> {
  const auth = { authorization: `Bearer ${adminToken()}` };
  let worker: ServiceProcess | null = null;
  try {
    worker = await startWorkers(
      env,
      ['exports'],
      heapCapMb === null ? undefined : [`--max-old-space-size=${heapCapMb}`],
    );
    const workerStartRssMb = memoryOf(worker.pid)?.rssMb ?? 0;
    const sampler = sampleRss(worker.pid, 100);
    const asked = await fetch(`${apiUrl}/api/orders/exports`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ format: 'csv' }),
    });
    if (asked.status !== 202)
      throw new Error(`POST /api/orders/exports answered ${asked.status}: ${await asked.text()}`);
    const { exportId } = ((await asked.json()) as { data: { exportId: string } }).data;
    const deadline = Date.now() + capMs;
    let view: ExportView;
    for (;;) {
      view = (
        (await (await fetch(`${apiUrl}/api/orders/exports/${exportId}`, { headers: auth })).json()) as {
          data: ExportView;
        }
      ).data;
      if (view.state === 'completed' || view.state === 'failed') break;
      if (Date.now() > deadline)
        throw new Error(`export of ${orders} orders not done within ${capMs} ms (state ${view.state})`);
      await sleep(100);
    }
    sampler.stop();
    const workerPeakRssMb = memoryOf(worker.pid)?.peakMb ?? 0;
    if (view.state !== 'completed' || !view.finishedAt) throw new Error(`export failed: ${view.error ?? '?'}`);
    const seconds = (Date.parse(view.finishedAt) - Date.parse(view.createdAt)) / 1000;

    const t0 = Date.now();
    const file = await fetch(`${apiUrl}/api/orders/exports/${exportId}/download`, { headers: auth });
    let bytes = 0;
    for await (const chunk of file.body ?? []) bytes += (chunk as Uint8Array).byteLength;
    const downloadSeconds = (Date.now() - t0) / 1000;
    const rows = view.rowCount ?? 0;
    log(
      `export @${orders}${heapCapMb ? ` (heap capped at ${heapCapMb} MB)` : ''}: ${rows} rows in ${round(seconds, 2)} s (${round(rows / seconds, 0)} rows/s); worker RSS ${workerStartRssMb} MB at start, peak ${workerPeakRssMb} MB; ${round(bytes / 2 ** 20, 1)} MB downloaded in ${round(downloadSeconds, 2)} s`,
    );
    return {
      orders,
      heapCapMb,
      status: 'ok',
      rows,
      seconds: round(seconds, 2),
      rowsPerSec: round(rows / seconds, 0),
      workerStartRssMb,
      workerPeakRssMb,
      fileMb: round(bytes / 2 ** 20, 1),
      downloadSeconds: round(downloadSeconds, 2),
    };
  } catch (err) {
    log(`export @${orders} failed: ${String(err)}`);
    return { orders, heapCapMb, status: 'failed', note: String(err).slice(0, 500) };
  } finally {
    await worker?.close();
    if (env.EXPORT_DIR) await rm(env.EXPORT_DIR, { recursive: true, force: true });
  }
}

/** The exports table of bench/README.md. */
export function exportsMarkdown(results: readonly ExportResult[]): string[] {
  const lines = [
    '| export (CSV, every order) | rows | seconds | rows/s | worker RSS at start MB | worker peak RSS MB | file MB | download s |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  const c = (v: number | undefined) => (v === undefined ? '–' : String(v));
  for (const e of results)
    lines.push(
      `| @${e.orders} orders${e.heapCapMb ? `, heap capped at ${e.heapCapMb} MB` : ''}${e.status !== 'ok' ? ` (failed: ${e.note ?? ''})` : ''} | ${c(e.rows)} | ${c(e.seconds)} | ${c(e.rowsPerSec)} | ${c(e.workerStartRssMb)} | ${c(e.workerPeakRssMb)} | ${c(e.fileMb)} | ${c(e.downloadSeconds)} |`,
    );
  return lines;
}
