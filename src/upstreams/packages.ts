import type { CallContext, UpstreamHttpClient } from './http-client.js';
import { PackageBatch, PackageRecord, type PackageSize } from './records.js';
import { ResourceReader } from './resource.js';

export interface NewPackage {
  size: PackageSize;
  weightKg: number;
  tag: string | null;
}

/** The packages service: what a delivery carries. */
export class PackagesClient {
  readonly packages: ResourceReader<PackageRecord>;

  constructor(private readonly http: UpstreamHttpClient) {
    this.packages = new ResourceReader(http, '/v1/packages', PackageRecord, PackageBatch);
  }

  /** `POST /v1/packages`. */
  create(input: NewPackage, idempotencyKey: string, call: CallContext): Promise<PackageRecord> {
    return this.http.send(
      {
        method: 'POST',
        route: 'POST /v1/packages',
        path: '/v1/packages',
        body: input,
        idempotencyKey,
      },
      PackageRecord,
      call,
    );
  }
}
