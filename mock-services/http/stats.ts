// Per-service request stats, so a test can count the upstream calls one GraphQL query made.
// Only /v1 requests are counted; the test controls never are.

/** How many recent requests `GET /__stats` shows. */
export const RECENT_LIMIT = 1000;
/** How many batch calls it keeps (the latest), so a long benchmark cannot grow memory forever. */
export const BATCH_LIMIT = 10_000;

export interface RecentRequest {
  method: string;
  /** Route template key, e.g. `GET /v1/drones/{id}`; null when no route matched. */
  route: string | null;
  /** 0 until answered, and for ones chaos hung or cut. */
  status: number;
  requestId: string | null;
  traceparent: string | null;
  idempotencyKey: string | null;
}

export interface BatchCall {
  route: string;
  ids: string[];
}

export interface StatsSnapshot {
  total: number;
  routes: Record<string, number>;
  batches: BatchCall[];
  recent: RecentRequest[];
}

export class Stats {
  private total = 0;
  private readonly routes = new Map<string, number>();
  private batches = new Ring<BatchCall>(BATCH_LIMIT);
  private recent = new Ring<RecentRequest>(RECENT_LIMIT);

  /** Counts a request as it arrives; set `status` on the returned entry once it is answered. */
  record(request: Omit<RecentRequest, 'status'>, batchIds?: string[]): RecentRequest {
    this.total += 1;
    if (request.route !== null) {
      this.routes.set(request.route, (this.routes.get(request.route) ?? 0) + 1);
      if (batchIds !== undefined) this.batches.push({ route: request.route, ids: batchIds });
    }
    const entry = { ...request, status: 0 };
    this.recent.push(entry);
    return entry;
  }

  snapshot(): StatsSnapshot {
    return {
      total: this.total,
      routes: Object.fromEntries(this.routes),
      batches: this.batches.toArray(),
      recent: this.recent.toArray().map((entry) => ({ ...entry })),
    };
  }

  reset(): void {
    this.total = 0;
    this.routes.clear();
    this.batches = new Ring(BATCH_LIMIT);
    this.recent = new Ring(RECENT_LIMIT);
  }
}

/** A fixed-capacity buffer that forgets its oldest items: O(1) per push. */
class Ring<T> {
  private readonly items: T[] = [];
  private start = 0;

  constructor(private readonly capacity: number) {}

  push(item: T): void {
    if (this.items.length < this.capacity) {
      this.items.push(item);
    } else {
      this.items[this.start] = item;
      this.start = (this.start + 1) % this.capacity;
    }
  }

  /** Oldest first. */
  toArray(): T[] {
    return [...this.items.slice(this.start), ...this.items.slice(0, this.start)];
  }
}
