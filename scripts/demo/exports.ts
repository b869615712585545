/** A CSV export asked for, waited on, downloaded and parsed, as the desk would. */
import { parse } from 'csv-parse/sync';
import { DemoError, call, download, waitFor } from './api';

export interface Exported {
  exportId: string;
  rowCount: number;
  orderIds: Set<string>;
}

export async function exportOrders(filters: Record<string, unknown>, deadline: number): Promise<Exported> {
  const { data } = await call<{ exportId: string }>(
    'admin',
    'POST',
    '/api/orders/exports',
    { format: 'csv', ...filters },
    [202],
  );
  const done = await waitFor(
    async () => {
      const { data: e } = await call<{ state: string; rowCount: number | null; error: string | null }>(
        'admin',
        'GET',
        `/api/orders/exports/${data.exportId}`,
      );
      if (e.state === 'failed') throw new DemoError(`export ${data.exportId} failed: ${e.error}`);
      return e.state === 'completed' ? e : null;
    },
    deadline,
    () => `export ${data.exportId} did not complete`,
  );
  const file = await download('admin', `/api/orders/exports/${data.exportId}/download`);
  if (!file.type.startsWith('text/csv'))
    throw new DemoError(`export ${data.exportId} downloaded as ${file.type}, not text/csv`);
  const rows = parse(file.text, { columns: true, skip_empty_lines: true }) as Record<string, string>[];
  if (rows.length !== done.rowCount)
    throw new DemoError(`export ${data.exportId} says ${done.rowCount} rows, its file has ${rows.length}`);
  return { exportId: data.exportId, rowCount: rows.length, orderIds: new Set(rows.map((r) => r.orderId)) };
}
