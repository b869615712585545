import { ObjectId, type Db, type Document } from 'mongodb';
import { pick, rng } from './util';
import type { OrderStatus } from '../src/shared/names';

/**
 * Realistic orders written straight through the driver in bulk: every field the order and
 * item models require (src/models), integer paise, lower-cased search shadows, statuses
 * that follow the age of the order, dates spread over the last year. The daily analytics
 * rollups are computed as services/analytics/rebuild.ts would compute them from these
 * orders (no return requests are seeded, so their counters stay zero).
 */

const FIRST = [
  'Aarav',
  'Vivaan',
  'Aditya',
  'Vihaan',
  'Arjun',
  'Sai',
  'Reyansh',
  'Ayaan',
  'Krishna',
  'Ishaan',
  'Priya',
  'Ananya',
  'Diya',
  'Aadhya',
  'Saanvi',
  'Kavya',
  'Meera',
  'Riya',
  'Isha',
  'Neha',
  'Rahul',
  'Rohan',
  'Karthik',
  'Suresh',
  'Lakshmi',
  'Deepa',
  'Anil',
  'Sunita',
  'Vikram',
  'Pooja',
  'Manoj',
  'Divya',
  'Harish',
  'Sneha',
  'Ganesh',
  'Asha',
  'Naveen',
  'Swati',
  'Ravi',
  'Nisha',
];
const LAST = [
  'Sharma',
  'Verma',
  'Iyer',
  'Reddy',
  'Nair',
  'Rao',
  'Patel',
  'Gupta',
  'Singh',
  'Kumar',
  'Menon',
  'Pillai',
  'Das',
  'Bose',
  'Mehta',
  'Joshi',
  'Kulkarni',
  'Desai',
  'Shetty',
  'Gowda',
  'Hegde',
  'Chopra',
  'Malhotra',
  'Kapoor',
  'Agarwal',
  'Banerjee',
  'Mukherjee',
  'Naidu',
  'Krishnan',
  'Subramanian',
];
const DOMAINS = ['gmail.com', 'yahoo.co.in', 'outlook.com', 'rediffmail.com', 'example.in'];
const CITIES: [string, string, string][] = [
  ['Bangalore', 'Karnataka', '5600'],
  ['Mumbai', 'Maharashtra', '4000'],
  ['Chennai', 'Tamil Nadu', '6000'],
  ['Hyderabad', 'Telangana', '5000'],
  ['Pune', 'Maharashtra', '4110'],
  ['Delhi', 'Delhi', '1100'],
  ['Kolkata', 'West Bengal', '7000'],
  ['Mysore', 'Karnataka', '5700'],
];
const PLATFORMS = ['Android', 'iOS', 'Windows', 'macOS', 'unknown'];
const CATEGORIES = [
  'Headphones',
  'USB-C Cable',
  'Phone Case',
  'Smart Watch',
  'Backpack',
  'Water Bottle',
  'Desk Lamp',
  'Keyboard',
  'Mouse',
  'Charger',
];
const CATALOG = Array.from({ length: 200 }, (_, i) => {
  const r = rng(1000 + i);
  const name = `${pick(r, ['Classic', 'Pro', 'Lite', 'Max', 'Eco', 'Ultra'])} ${CATEGORIES[i % CATEGORIES.length]} ${i + 1}`;
  return {
    productId: `PROD-${String(i + 1).padStart(4, '0')}`,
    productName: name,
    sku: `SKU-${String(i + 1).padStart(5, '0')}`,
    unitPrice: (199 + Math.floor(r() * 20_000)) * 100,
  };
});

export interface Customer {
  userId: string;
  customerId: string;
  email: string;
  firstName: string;
  lastName: string;
}

/** Customer `i`, the same in every run: the fake Auth Service answers from this too. */
export function customerOf(i: number): Customer {
  const r = rng(7919 * (i + 1));
  const firstName = pick(r, FIRST);
  const lastName = pick(r, LAST);
  const local = `${firstName}.${lastName}${i}`;
  return {
    userId: `b0${i.toString(16).padStart(22, '0')}`,
    customerId: `c0${i.toString(16).padStart(22, '0')}`,
    email: `${r() < 0.3 ? local : local.toLowerCase()}@${pick(r, DOMAINS)}`,
    firstName,
    lastName,
  };
}

interface RollupDay {
  orders: number;
  gross: number;
  items: number;
  status: Record<string, { n: number; v: number }>;
  products: Record<string, { id: string; name: string; q: number; r: number }>;
}

export interface SeededOrder {
  _id: ObjectId;
  orderId: string;
  userId: string;
}

/** Writes orders in stages (1k, then top up to 100k) and keeps what the scenarios need. */
export class Seeder {
  private readonly r = rng(42);
  private readonly seqByYear = new Map<number, number>();
  private readonly days = new Map<string, RollupDay>();
  readonly orders: SeededOrder[] = [];
  customers = 0;
  readonly now = Date.now();

  constructor(
    readonly db: Db,
    private readonly perCustomer: number,
  ) {}

  /** Adds orders until there are `total`, `perCustomer` for each new customer. */
  async topUpTo(total: number): Promise<void> {
    const toAdd = total - this.orders.length;
    if (toAdd <= 0) return;
    // Orders placed through the API since took numbers from the same counters.
    for (const c of await this.db
      .collection<{ _id: string; seq: number }>('counters')
      .find({ _id: { $regex: '^ORD-' } })
      .toArray()) {
      const year = Number(c._id.slice(4));
      this.seqByYear.set(year, Math.max(this.seqByYear.get(year) ?? 0, c.seq));
    }
    const firstCustomer = this.customers;
    this.customers += Math.ceil(toAdd / this.perCustomer);
    const batch: { order: Document; items: Document[] }[] = [];
    const writes: Promise<void>[] = [];
    const flush = async (docs: { order: Document; items: Document[] }[]) => {
      await this.db.collection('order_items').insertMany(
        docs.flatMap((d) => d.items),
        { ordered: false },
      );
      await this.db.collection('orders').insertMany(
        docs.map((d) => d.order),
        { ordered: false },
      );
    };
    for (let k = 0; k < toAdd; k++) {
      const c = firstCustomer + Math.floor(k / this.perCustomer);
      batch.push(this.makeOrder(customerOf(c)));
      if (batch.length === 1000) {
        writes.push(flush(batch.splice(0)));
        if (writes.length >= 3) await writes.shift();
      }
    }
    if (batch.length) writes.push(flush(batch.splice(0)));
    await Promise.all(writes);
    await this.writeRollups();
    await this.writeCounters();
  }

  private makeOrder(c: Customer): { order: Document; items: Document[] } {
    const r = this.r;
    const ageDays = r() * 365;
    const orderDate = new Date(this.now - 3_600_000 - ageDays * 86_400_000);
    const year = orderDate.getUTCFullYear();
    const seq = (this.seqByYear.get(year) ?? 0) + 1;
    this.seqByYear.set(year, seq);
    const orderId = `ORD-${year}-${String(seq).padStart(6, '0')}`;
    const _id = new ObjectId();
    const status = statusFor(ageDays, r());
    const name = `${c.firstName} ${c.lastName}`;
    const [city, state, zip] = pick(r, CITIES);

    const lines = 1 + Math.floor(r() * 2) + (r() < 0.1 ? 1 : 0); // ~1.6 lines, ~2 units
    const items: Document[] = [];
    let totalAmount = 0;
    let itemCount = 0;
    for (let l = 0; l < lines; l++) {
      const p = pick(r, CATALOG);
      const quantity = r() < 0.75 ? 1 : 1 + Math.floor(r() * 3);
      const totalPrice = quantity * p.unitPrice;
      const discount = r() < 0.3 ? Math.round(totalPrice * 0.1) : 0;
      const tax = Math.round((totalPrice - discount) * 0.18);
      const finalPrice = totalPrice - discount + tax;
      totalAmount += finalPrice;
      itemCount += quantity;
      items.push({
        _id: new ObjectId(),
        orderId: _id,
        orderIdString: orderId,
        productId: p.productId,
        productName: p.productName,
        productDescription: `${p.productName}, as described in the catalogue`,
        sku: p.sku,
        quantity,
        unitPrice: p.unitPrice,
        totalPrice,
        discount,
        tax,
        finalPrice,
        returnRequested: false,
        returnQuantity: 0,
        returnedQuantity: 0,
        returnReason: null,
        returnId: null,
        createdAt: orderDate,
      });
    }
    this.rollup(orderDate, status, totalAmount, itemCount, items);
    this.orders.push({ _id, orderId, userId: c.userId });

    const changedAt = new Date(orderDate.getTime() + Math.min(ageDays, 3) * 86_400_000 * r());
    const cancelled = status === 'Cancelled';
    const returned = status === 'Returned' || status === 'Return Requested';
    const order: Document = {
      _id,
      orderId,
      userId: c.userId,
      customerId: c.customerId,
      customerEmail: c.email,
      customerName: name,
      customerEmailLower: c.email.toLowerCase(),
      customerNameLower: name.toLowerCase(),
      deliveryAddress: {
        recipientName: name,
        street: `${1 + Math.floor(r() * 400)} ${pick(r, ['MG Road', 'Park Street', 'Main Road', '4th Cross', 'Ring Road'])}`,
        city,
        state,
        zipCode: `${zip}${String(Math.floor(r() * 100)).padStart(2, '0')}`,
        country: 'India',
        phone: `+9198${String(Math.floor(r() * 1e8)).padStart(8, '0')}`,
      },
      orderDate,
      status,
      totalAmount,
      itemCount,
      cancellationReason: cancelled ? 'Ordered by mistake, no longer needed' : null,
      cancellationCategory: cancelled ? 'Changed Mind' : null,
      cancelledBy: cancelled ? c.userId : null,
      cancelledAt: cancelled ? changedAt : null,
      returnReason: returned ? 'Product arrived damaged' : null,
      returnRequestedBy: returned ? c.userId : null,
      returnRequestedAt: returned ? changedAt : null,
      returnApproved: status === 'Returned' ? true : null,
      returnApprovedBy: status === 'Returned' ? 'a0admin000000000000000001' : null,
      returnApprovedAt: status === 'Returned' ? changedAt : null,
      notes: r() < 0.2 ? 'Please deliver between 10 AM - 2 PM' : null,
      metadata: {
        ipAddress: `10.${Math.floor(r() * 255)}.${Math.floor(r() * 255)}.${Math.floor(r() * 255)}`,
        userAgent: 'Mozilla/5.0 (Linux; Android 14) RMAN/3.2',
        platform: pick(r, PLATFORMS),
      },
      updatedBy: c.userId,
      version: status === 'Placed' ? 0 : 1,
      outbox: [],
      outboxPending: false,
      idempotencyKey: `none:${orderId}`,
      createdAt: orderDate,
      updatedAt: changedAt,
    };
    return { order, items };
  }

  private rollup(at: Date, status: OrderStatus, total: number, units: number, items: Document[]): void {
    const key = at.toISOString().slice(0, 10);
    let d = this.days.get(key);
    if (!d) this.days.set(key, (d = { orders: 0, gross: 0, items: 0, status: {}, products: {} }));
    d.orders += 1;
    d.gross += total;
    d.items += units;
    const s = (d.status[status.replace(/\s+/g, '')] ??= { n: 0, v: 0 });
    s.n += 1;
    s.v += total;
    if (status === 'Cancelled') return;
    for (const i of items) {
      const p = (d.products[Buffer.from(i.productId as string, 'utf8').toString('base64url')] ??= {
        id: i.productId as string,
        name: i.productName as string,
        q: 0,
        r: 0,
      });
      p.q += i.quantity as number;
      p.r += i.finalPrice as number;
    }
  }

  private async writeRollups(): Promise<void> {
    const col = this.db.collection<{ _id: string }>('analytics_daily');
    const days = [...this.days.entries()];
    for (let i = 0; i < days.length; i += 20) {
      await Promise.all(
        days.slice(i, i + 20).map(([day, d]) =>
          col.replaceOne(
            { _id: day },
            {
              ...d,
              returns: { requested: 0, approved: 0, rejected: 0, completed: 0 },
              refunds: { approved: 0, completed: 0 },
              pending: [],
            },
            { upsert: true },
          ),
        ),
      );
    }
  }

  /** The id counters start after the seeded ids, so orders placed now never collide. */
  private async writeCounters(): Promise<void> {
    const col = this.db.collection<{ _id: string; seq: number }>('counters');
    for (const [year, seq] of this.seqByYear)
      await col.updateOne({ _id: `ORD-${year}` }, { $max: { seq } }, { upsert: true });
  }

  /** The seeded customer whose user id this is. */
  customerOfUser(userId: string): Customer {
    return customerOf(parseInt(userId.slice(2), 16));
  }

  /** Customers `0 … customers-1` have orders; picks one at random. */
  randomCustomer(r: () => number): Customer {
    return customerOf(Math.floor(r() * this.customers));
  }
}

function statusFor(ageDays: number, x: number): OrderStatus {
  if (ageDays < 2) return x < 0.5 ? 'Placed' : x < 0.9 ? 'Processing' : 'Cancelled';
  if (ageDays < 5) return x < 0.2 ? 'Processing' : x < 0.9 ? 'Shipped' : 'Cancelled';
  if (ageDays < 10) return x < 0.3 ? 'Shipped' : x < 0.9 ? 'Delivered' : 'Cancelled';
  return x < 0.82 ? 'Delivered' : x < 0.91 ? 'Cancelled' : x < 0.93 ? 'Return Requested' : 'Returned';
}
