/**
 * What the Customer stand-in received (statistics calls, webhook deliveries) and how its
 * webhook receivers are set up, kept in a JSON file under var/dev-peers/ so a restart of the
 * stack does not forget it. Development only, like the rest of scripts/dev-peers.
 */
import fs from 'node:fs';
import path from 'node:path';

/** Per kind of record: enough for any demo, small enough that the file stays a few MB. */
export const MAX_KEPT = 10_000;
/** Receivers are named by whoever calls PUT, so their number is bounded too. */
export const MAX_RECEIVERS = 1_000;
/** A burst of calls (the demo sends hundreds) becomes one write per this many ms. */
const WRITE_DELAY_MS = 500;

export interface StatisticsCall {
  customerId: string;
  body: unknown;
  receivedAt: string;
}

export interface Delivery {
  deliveryId: string | null;
  eventId: string | null;
  eventType: string | null;
  verified: boolean;
  answered: number;
  receivedAt: string;
  body: unknown;
}

export interface Receiver {
  secret: string | null;
  answer: number;
}

interface Saved {
  version: 1;
  statisticsCalls: StatisticsCall[];
  receivers: Record<string, Receiver>;
  /** All receivers' deliveries in arrival order, so the bound holds across receivers. */
  deliveries: (Delivery & { receiver: string })[];
}

const DEFAULT_FILE = path.resolve(__dirname, '../../var/dev-peers/state.json');

export class PeerState {
  readonly statisticsCalls: StatisticsCall[] = [];
  readonly receivers = new Map<string, Receiver>();
  readonly deliveries: (Delivery & { receiver: string })[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly warn: (message: string) => void,
    readonly file: string = process.env.DEV_PEERS_STATE_FILE || DEFAULT_FILE,
  ) {}

  /** Whatever the last run saved; a missing file is a first run, an unreadable one is reported and set aside. */
  load(): void {
    let saved: Partial<Saved>;
    try {
      saved = JSON.parse(fs.readFileSync(this.file, 'utf8')) as Partial<Saved>;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      const aside = `${this.file}.unreadable-${Date.now()}`;
      fs.renameSync(this.file, aside);
      this.warn(`dev-peers: ${this.file} could not be read (${String(err)}); moved to ${aside}, starting empty`);
      return;
    }
    const list = <T>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]).slice(-MAX_KEPT) : []);
    this.statisticsCalls.push(...list<StatisticsCall>(saved.statisticsCalls));
    for (const [name, r] of Object.entries(saved.receivers ?? {}).slice(0, MAX_RECEIVERS)) {
      this.receivers.set(name, {
        secret: typeof r?.secret === 'string' ? r.secret : null,
        answer: Number.isInteger(r?.answer) ? r.answer : 200,
      });
    }
    this.deliveries.push(
      ...list<Delivery & { receiver: string }>(saved.deliveries).filter((d) => this.receivers.has(d.receiver)),
    );
  }

  addStatisticsCall(call: StatisticsCall): void {
    this.statisticsCalls.push(call);
    if (this.statisticsCalls.length > MAX_KEPT) this.statisticsCalls.shift();
    this.changed();
  }

  /** The receiver of that name, made with the defaults when new; null when there are too many already. */
  receiver(name: string): Receiver | null {
    const known = this.receivers.get(name);
    if (known) return known;
    if (this.receivers.size >= MAX_RECEIVERS) return null;
    const made: Receiver = { secret: null, answer: 200 };
    this.receivers.set(name, made);
    this.changed();
    return made;
  }

  addDelivery(receiver: string, delivery: Delivery): void {
    this.deliveries.push({ receiver, ...delivery });
    if (this.deliveries.length > MAX_KEPT) this.deliveries.shift();
    this.changed();
  }

  deliveriesOf(receiver: string): Delivery[] {
    return this.deliveries.filter((d) => d.receiver === receiver).map(({ receiver: _r, ...d }) => d);
  }

  /** Every receiver with its deliveries, in one pass over them (there may be 10,000). */
  receiverViews(): { name: string; answer: number; hasSecret: boolean; received: Delivery[] }[] {
    const views = new Map(
      [...this.receivers].map(([name, r]) => [
        name,
        { name, answer: r.answer, hasSecret: r.secret !== null, received: [] as Delivery[] },
      ]),
    );
    for (const { receiver, ...d } of this.deliveries) views.get(receiver)?.received.push(d);
    return [...views.values()];
  }

  /** Writes within WRITE_DELAY_MS of the first change after the last write: a burst costs one write, a stop loses nothing (see flush). */
  changed(): void {
    this.timer ??= setTimeout(() => {
      try {
        this.flush();
      } catch (err) {
        // A full disk must not take the stand-ins down; the next change tries again.
        this.warn(`dev-peers: could not save ${this.file}: ${String(err)}`);
      }
    }, WRITE_DELAY_MS);
  }

  /**
   * Synchronous, so a stop can call it on its way out. Written to a temporary file and
   * renamed over the old one: a crash mid-write leaves the previous state, never half a file.
   */
  flush(): void {
    if (!this.timer) return;
    clearTimeout(this.timer);
    this.timer = null;
    const saved: Saved = {
      version: 1,
      statisticsCalls: this.statisticsCalls,
      receivers: Object.fromEntries(this.receivers),
      deliveries: this.deliveries,
    };
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const temp = `${this.file}.${process.pid}.tmp`;
    // The file holds the receivers' secrets.
    fs.writeFileSync(temp, JSON.stringify(saved), { mode: 0o600 });
    fs.renameSync(temp, this.file);
  }
}
