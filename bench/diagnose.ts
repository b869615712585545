import { performance } from 'node:perf_hooks';
import { Long, ObjectId, type Db, type Document } from 'mongodb';
import type { Seeder } from './seed';
import { psql, round } from './util';

/** How FerretDB runs one query: what it pushes down to PostgreSQL, the plan, and its time alone. */
export interface QueryDiagnosis {
  query: string;
  orders: number;
  filterPushdown: boolean | null;
  sortPushdown: boolean | null;
  limitPushdown: boolean | null;
  /** PostgreSQL plan nodes, outermost first (e.g. "Gather > Seq Scan"). */
  pgPlan: string;
  /** Median of up to 5 runs (1 if it takes over a second), one at a time, through the raw driver; null: over the cap. */
  serialMs: number | null;
}

function planNodes(plan: Document | undefined): string[] {
  if (!plan) return [];
  const here = String(plan['Node Type'] ?? '?') + (plan['Index Name'] ? ` using ${String(plan['Index Name'])}` : '');
  const kids = (plan.Plans as Document[] | undefined) ?? [];
  return [here, ...kids.flatMap((k) => planNodes(k))];
}

/**
 * The queries of the read scenarios, of the emails worker and of the API's background
 * sweepers, explained by FerretDB and timed alone at the current size.
 */
export async function diagnose(db: Db, seeder: Seeder, capMs: number, runs: number): Promise<QueryDiagnosis[]> {
  const o = seeder.orders[Math.floor(seeder.orders.length / 2)];
  const c = seeder.customerOfUser(o.userId);
  const prefix = c.email
    .toLowerCase()
    .slice(0, 8)
    .replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const tenMinutesAgo = ObjectId.createFromTime(Math.floor(Date.now() / 1000) - 600);
  const find = (collection: string, filter: Document, extra: Document = {}) => ({ find: collection, filter, ...extra });
  const queries: [string, Document][] = [
    [
      'my-orders: page',
      find('orders', { userId: c.userId }, { sort: { orderDate: -1, _id: -1 }, limit: Long.fromNumber(10) }),
    ],
    [
      'my-orders: count',
      {
        aggregate: 'orders',
        pipeline: [{ $match: { userId: c.userId } }, { $group: { _id: 1, n: { $sum: 1 } } }],
        cursor: {},
      },
    ],
    ['get-order: order by orderId', find('orders', { orderId: o.orderId }, { limit: Long.fromNumber(1) })],
    ['get-order: items by order', find('order_items', { orderId: o._id }, { sort: { _id: 1 } })],
    ['emails worker: order by _id', find('orders', { _id: o._id }, { limit: Long.fromNumber(1) })],
    [
      'admin-list: page',
      find(
        'orders',
        { status: 'Delivered', totalAmount: { $gte: 100_000 } },
        { sort: { orderDate: -1, _id: -1 }, skip: Long.fromNumber(20), limit: Long.fromNumber(20) },
      ),
    ],
    [
      'search: email prefix',
      find(
        'orders',
        { customerEmailLower: { $regex: `^${prefix}` } },
        { sort: { orderDate: -1, _id: -1 }, limit: Long.fromNumber(10) },
      ),
    ],
    ['analytics: rollups', find('analytics_daily', {}, { sort: { _id: 1 } })],
    [
      'sweeper: outbox leftovers',
      find(
        'orders',
        { outboxPending: true, 'outbox.createdAt': { $lte: new Date(Date.now() - 5000) } },
        { limit: Long.fromNumber(200) },
      ),
    ],
    [
      'sweeper: orphan items batch',
      find('order_items', { _id: { $lt: tenMinutesAgo } }, { sort: { _id: 1 }, limit: Long.fromNumber(1000) }),
    ],
  ];
  const out: QueryDiagnosis[] = [];
  for (const [name, cmd] of queries) {
    let explained: Document = {};
    try {
      explained = await db.command({ explain: cmd });
    } catch (err) {
      explained = { error: String(err) };
    }
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const ms = await timeCommand(db, { ...cmd, maxTimeMS: capMs });
      if (ms === null) break;
      times.push(ms);
      if (ms > 1000) break;
    }
    times.sort((a, b) => a - b);
    const qp = explained.queryPlanner as Document | undefined;
    out.push({
      query: name,
      orders: seeder.orders.length,
      filterPushdown: typeof explained.filterPushdown === 'boolean' ? explained.filterPushdown : null,
      sortPushdown: typeof explained.sortPushdown === 'boolean' ? explained.sortPushdown : null,
      limitPushdown: typeof explained.limitPushdown === 'boolean' ? explained.limitPushdown : null,
      pgPlan: explained.error
        ? String(explained.error).slice(0, 120)
        : planNodes(qp?.Plan as Document | undefined).join(' > '),
      serialMs: times.length ? round(times[Math.floor(times.length / 2)], 1) : null,
    });
  }
  return out;
}

/** Runs a find/aggregate command through the driver's cursor (as the service does); null when maxTimeMS ran out. */
async function timeCommand(db: Db, cmd: Document): Promise<number | null> {
  const t0 = performance.now();
  try {
    if (cmd.aggregate) {
      await db
        .collection(cmd.aggregate as string)
        .aggregate(cmd.pipeline as Document[], { maxTimeMS: cmd.maxTimeMS as number })
        .toArray();
    } else {
      const num = (v: unknown) => (v === undefined ? undefined : Number(v));
      await db
        .collection(cmd.find as string)
        .find(cmd.filter as Document, {
          sort: cmd.sort as Document | undefined,
          skip: num(cmd.skip),
          limit: num(cmd.limit),
          maxTimeMS: cmd.maxTimeMS as number,
        })
        .toArray();
    }
  } catch (err) {
    if (String(err).includes('exceeded time limit')) return null;
    throw err;
  }
  return performance.now() - t0;
}

/** The lookups that GIN indexes serve on FerretDB v1: [index name, collection, field]. */
const GIN_INDEXES: [string, string, string][] = [
  ['bench_gin_orders_userid', 'orders', 'userId'],
  ['bench_gin_orders_orderid', 'orders', 'orderId'],
  ['bench_gin_orders_id', 'orders', '_id'],
  ['bench_gin_items_orderid', 'order_items', 'orderId'],
];

/**
 * FerretDB v1 pushes an equality filter down as `_jsonb->'field' @> value`, which the btree
 * indexes it creates cannot serve, so every lookup scans the table. These GIN indexes on the
 * same expressions, made straight in PostgreSQL (invisible to FerretDB), serve them as
 * MongoDB's own indexes would. Throws without psql or FerretDB's metadata.
 */
export function ginIndexes(schema: string): { create(): void; drop(): void } {
  const table = (collection: string) =>
    psql(`SELECT _jsonb->>'table' FROM "${schema}"._ferretdb_database_metadata WHERE _jsonb->>'_id' = '${collection}'`);
  const tables = new Map(['orders', 'order_items'].map((c) => [c, table(c)]));
  return {
    create() {
      for (const [name, c, field] of GIN_INDEXES)
        psql(`CREATE INDEX IF NOT EXISTS ${name} ON "${schema}"."${tables.get(c)}" USING gin ((_jsonb->'${field}'))`);
      psql([...tables.values()].map((t) => `ANALYZE "${schema}"."${t}"`).join('; '));
    },
    drop() {
      for (const [name] of GIN_INDEXES) {
        try {
          psql(`DROP INDEX IF EXISTS "${schema}".${name}`);
        } catch {
          /* dropped with the database at the end anyway */
        }
      }
    },
  };
}

/** Experiment, not part of the service: the lookups below timed alone with the GIN indexes. */
export async function ginExperiment(db: Db, seeder: Seeder, schema: string, capMs: number): Promise<QueryDiagnosis[]> {
  let gin: ReturnType<typeof ginIndexes>;
  try {
    gin = ginIndexes(schema);
  } catch (err) {
    return [
      {
        query: `GIN experiment skipped: ${String(err).slice(0, 100)}`,
        orders: seeder.orders.length,
        filterPushdown: null,
        sortPushdown: null,
        limitPushdown: null,
        pgPlan: '',
        serialMs: null,
      },
    ];
  }
  const o = seeder.orders[Math.floor(seeder.orders.length / 3)];
  const queries: [string, Document][] = [
    [
      'my-orders: page',
      { find: 'orders', filter: { userId: o.userId }, sort: { orderDate: -1, _id: -1 }, limit: Long.fromNumber(10) },
    ],
    [
      'my-orders: count',
      {
        aggregate: 'orders',
        pipeline: [{ $match: { userId: o.userId } }, { $group: { _id: 1, n: { $sum: 1 } } }],
        cursor: {},
      },
    ],
    ['get-order: order by orderId', { find: 'orders', filter: { orderId: o.orderId }, limit: Long.fromNumber(1) }],
    ['get-order: items by order', { find: 'order_items', filter: { orderId: o._id }, sort: { _id: 1 } }],
    ['emails worker: order by _id', { find: 'orders', filter: { _id: o._id }, limit: Long.fromNumber(1) }],
  ];
  const out: QueryDiagnosis[] = [];
  try {
    gin.create();
    for (const [name, cmd] of queries) {
      const explained = await db.command({ explain: cmd }).catch(() => ({}) as Document);
      const times: number[] = [];
      for (let i = 0; i < 5; i++) {
        const ms = await timeCommand(db, { ...cmd, maxTimeMS: capMs });
        if (ms !== null) times.push(ms);
      }
      times.sort((a, b) => a - b);
      out.push({
        query: `${name} — with a GIN index (experiment)`,
        orders: seeder.orders.length,
        filterPushdown: typeof explained.filterPushdown === 'boolean' ? explained.filterPushdown : null,
        sortPushdown: typeof explained.sortPushdown === 'boolean' ? explained.sortPushdown : null,
        limitPushdown: typeof explained.limitPushdown === 'boolean' ? explained.limitPushdown : null,
        pgPlan: planNodes((explained.queryPlanner as Document | undefined)?.Plan as Document | undefined).join(' > '),
        serialMs: times.length ? round(times[Math.floor(times.length / 2)], 1) : null,
      });
    }
  } finally {
    gin.drop();
  }
  return out;
}

/**
 * Experiment on the analytics rollups: how much of reading them is the per-day product
 * map. Copies the daily rollups without `products` into one collection and the products
 * summed by month into another (one small document per month and product), times reading
 * each as the report does, then drops both.
 */
export async function rollupExperiment(db: Db, orders: number, capMs: number): Promise<QueryDiagnosis[]> {
  const days = await db
    .collection('analytics_daily')
    .find({}, { projection: { pending: 0 } })
    .toArray();
  const slim = db.collection('bench_exp_rollups_slim');
  const monthly = db.collection<{ _id: string }>('bench_exp_products_monthly');
  const row = (query: string, serialMs: number | null): QueryDiagnosis => ({
    query,
    orders,
    filterPushdown: null,
    sortPushdown: null,
    limitPushdown: null,
    pgPlan: '',
    serialMs,
  });
  try {
    const products = new Map<
      string,
      { _id: string; month: string; id: unknown; name: unknown; q: number; r: number }
    >();
    let entries = 0;
    let bytes = 0;
    for (const d of days) {
      bytes += JSON.stringify(d).length;
      for (const [key, p] of Object.entries(
        (d.products ?? {}) as Record<string, { id: unknown; name: unknown; q: number; r: number }>,
      )) {
        entries++;
        const month = String(d._id).slice(0, 7);
        const m = products.get(`${month}:${key}`) ?? {
          _id: `${month}:${key}`,
          month,
          id: p.id,
          name: p.name,
          q: 0,
          r: 0,
        };
        m.q += p.q;
        m.r += p.r;
        products.set(m._id, m);
      }
    }
    await slim.insertMany(days.map(({ products: _products, ...rest }) => rest));
    if (products.size) await monthly.insertMany([...products.values()]);
    const time = async (cmd: Document) => {
      const times: number[] = [];
      for (let i = 0; i < 3; i++) {
        const ms = await timeCommand(db, { ...cmd, maxTimeMS: capMs });
        if (ms === null) return null;
        times.push(ms);
      }
      return round(times.sort((a, b) => a - b)[1], 1);
    };
    return [
      row(
        `analytics: rollups as stored (${days.length} days, ${round(entries / Math.max(1, days.length), 1)} product entries and ${round(bytes / Math.max(1, days.length) / 1024, 1)} KB of JSON per day)`,
        await time({ find: 'analytics_daily', filter: {}, sort: { _id: 1 } }),
      ),
      row(
        'analytics experiment: the same daily rollups without products',
        await time({ find: 'bench_exp_rollups_slim', filter: {}, sort: { _id: 1 } }),
      ),
      row(
        `analytics experiment: products summed per month instead (${products.size} documents)`,
        await time({ find: 'bench_exp_products_monthly', filter: {} }),
      ),
    ];
  } finally {
    await slim.drop().catch(() => undefined);
    await monthly.drop().catch(() => undefined);
  }
}
