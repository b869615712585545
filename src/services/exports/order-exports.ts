import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Order, OrderExport } from '../../models';
import type { ExportFilters, OrderExportDoc } from '../../models/order-export';
import { deskOrderFilter, type DeskOrderFilters } from '../admin/list-orders';
import { ConflictError, NotFoundError } from '../../shared/errors';
import type { Principal } from '../principal';
import { EXPORT_HEADER, exportRowOf, EXPORT_FIELDS, type ExportedOrder } from './order-row';
import type { OrderStatus } from '../../shared/names';
import type { ServiceSettings } from '../settings';

export interface ExportInput extends DeskOrderFilters {
  format: 'csv';
}

/** Rows per progress report and per chunk handed to the file. */
const BATCH = 1000;

/** Where export files are written (shared by the API and the workers) and how long they are kept. */
export type ExportSettings = Pick<ServiceSettings, 'EXPORT_DIR' | 'EXPORT_TTL_HOURS'>;

const exportDir = (s: ExportSettings) => resolve(s.EXPORT_DIR);
const fileOf = (exportId: string, s: ExportSettings) => join(exportDir(s), `${exportId}.csv`);

/** Records an export of the orders the filters select; its worker writes the file. */
export async function createExport(
  principal: Principal,
  input: ExportInput,
  settings: ExportSettings,
  now = new Date(),
): Promise<OrderExportDoc> {
  const filters: ExportFilters = {
    status: input.status ?? null,
    from: input.from ?? null,
    to: input.to ?? null,
    userId: input.userId ?? null,
    customerId: input.customerId ?? null,
    minAmount: input.minAmount ?? null,
    maxAmount: input.maxAmount ?? null,
  };
  const doc = await OrderExport.create({
    _id: `exp_${randomBytes(12).toString('hex')}`,
    format: input.format,
    filters,
    createdBy: principal.userId,
    createdAt: now,
    expiresAt: new Date(now.getTime() + settings.EXPORT_TTL_HOURS * 3_600_000),
  });
  return doc.toObject<OrderExportDoc>();
}

/** An export that has not expired (an expired one is as good as removed, whether or not the sweep has run). */
export async function getExport(exportId: string, now = new Date()): Promise<OrderExportDoc> {
  const doc = await OrderExport.findById(exportId).lean<OrderExportDoc>();
  if (!doc || doc.expiresAt <= now) throw new NotFoundError('Export', 'exportId');
  return doc;
}

/** The file of a completed export, to be sent as it is. */
export async function exportFile(
  exportId: string,
  settings: ExportSettings,
): Promise<{ path: string; filename: string }> {
  const doc = await getExport(exportId);
  if (doc.state !== 'completed')
    throw new ConflictError(
      doc.state === 'failed'
        ? `Export failed: ${doc.error ?? 'unknown error'}`
        : `Export is ${doc.state}; download it once it is completed`,
      'state',
    );
  const path = fileOf(exportId, settings);
  // The record says completed but this process cannot see the file: EXPORT_DIR is not shared.
  if (!(await stat(path).catch(() => null))) throw new NotFoundError('Export file', 'exportId');
  return { path, filename: `orders-${exportId}.csv` };
}

const filtersOf = (f: ExportFilters): DeskOrderFilters => ({
  ...(f.status && { status: f.status as OrderStatus }),
  ...(f.from && { from: f.from }),
  ...(f.to && { to: f.to }),
  ...(f.userId && { userId: f.userId }),
  ...(f.customerId && { customerId: f.customerId }),
  ...(f.minAmount !== null && { minAmount: f.minAmount }),
  ...(f.maxAmount !== null && { maxAmount: f.maxAmount }),
});

/**
 * Writes the export: the orders its filters select, in the order they were placed, streamed from a cursor
 * to the file a batch at a time (memory stays the same whatever the count). The file is
 * written under a name of this run's own and renamed when whole, so a run that dies leaves
 * no partial file under the export's name, and a run that starts again starts over.
 */
export async function runExport(
  exportId: string,
  onProgress: (done: number, total: number) => Promise<void>,
  settings: ExportSettings,
  jobId: string = exportId,
): Promise<OrderExportDoc> {
  const op = await getExport(exportId);
  if (op.state === 'completed') return op;
  const filter = deskOrderFilter(filtersOf(op.filters));
  // Unfiltered, the collection's own count (metadata on MongoDB) rather than a count of every document.
  const total = Object.keys(filter).length ? await Order.countDocuments(filter) : await Order.estimatedDocumentCount();
  await OrderExport.updateOne(
    { _id: exportId },
    { $set: { state: 'running', progress: { done: 0, total }, error: null, jobId } },
  );
  await onProgress(0, total);

  await mkdir(exportDir(settings), { recursive: true });
  const part = `${fileOf(exportId, settings)}.${randomBytes(6).toString('hex')}.part`;
  let rows = 0;
  async function* chunks(): AsyncGenerator<string> {
    yield EXPORT_HEADER;
    let chunk = '';
    // In the order they were placed: by _id, an index every engine has, so MongoDB streams
    // the rows instead of sorting them all in memory first.
    const cursor = Order.find(filter, EXPORT_FIELDS)
      .sort({ _id: 1 })
      .lean<ExportedOrder[]>()
      .cursor({ batchSize: BATCH });
    for await (const order of cursor) {
      chunk += exportRowOf(order);
      if (++rows % BATCH === 0) {
        yield chunk;
        chunk = '';
        await OrderExport.updateOne({ _id: exportId }, { $set: { 'progress.done': rows } });
        await onProgress(rows, total);
      }
    }
    if (chunk) yield chunk;
  }
  try {
    await pipeline(Readable.from(chunks()), createWriteStream(part, { flags: 'w' }));
    await rename(part, fileOf(exportId, settings));
  } catch (err) {
    await rm(part, { force: true });
    throw err;
  }
  await OrderExport.updateOne(
    { _id: exportId },
    { $set: { state: 'completed', rowCount: rows, progress: { done: rows, total: rows }, finishedAt: new Date() } },
  );
  await onProgress(rows, rows);
  return getExport(exportId);
}

/** An export whose job failed for good. */
export async function failExport(exportId: string, reason: string): Promise<void> {
  await OrderExport.updateOne({ _id: exportId }, { $set: { state: 'failed', error: reason, finishedAt: new Date() } });
}

/**
 * Removes expired exports, files first (a sweep that dies in between leaves a record with no
 * file, which the next sweep removes), and files no record owns that are older than the TTL
 * (a run that finished after its export expired, a part file of a run that died).
 */
export async function removeExpiredExports(settings: ExportSettings, now = new Date()): Promise<number> {
  const expired = await OrderExport.find({ expiresAt: { $lte: now } }, { _id: 1 }).lean<{ _id: string }[]>();
  const files = await readdir(exportDir(settings)).catch(() => [] as string[]);
  const idOf = (file: string) => file.split('.')[0];
  const gone = new Set(expired.map((e) => e._id));
  const live = new Set(
    (await OrderExport.find({ _id: { $in: [...new Set(files.map(idOf))] } }, { _id: 1 }).lean<{ _id: string }[]>()).map(
      (e) => e._id,
    ),
  );
  for (const file of files) {
    const id = idOf(file);
    if (!id.startsWith('exp_')) continue;
    const orphanedLongAgo =
      !live.has(id) &&
      ((await stat(join(exportDir(settings), file)).catch(() => null))?.mtimeMs ?? Infinity) <
        now.getTime() - settings.EXPORT_TTL_HOURS * 3_600_000;
    if (gone.has(id) || orphanedLongAgo) await rm(join(exportDir(settings), file), { force: true });
  }
  if (gone.size) await OrderExport.deleteMany({ _id: { $in: [...gone] } });
  return gone.size;
}
