import type { CallScope, UpstreamHttpClient } from './http-client.js';
import { PackageRecord, type PackageSize } from './records.js';
import type { BoundReader, ResourceReader } from './resource.js';

export interface NewPackage {
  size: PackageSize;
  weightKg: number;
  tag: string | null;
}

/** The packages service, for one request: what a delivery carries. */
export class PackagesClient {
  readonly packages: BoundReader<PackageRecord>;

  constructor(
    private readonly http: UpstreamHttpClient,
    packages: ResourceReader<PackageRecord>,
    private readonly scope: CallScope,
  ) {
    this.packages = packages.bind(scope);
  }

  /** `POST /v1/packages`. */
  create(input: NewPackage, idempotencyKey: string): Promise<PackageRecord> {
    return this.http.send(
      {
        method: 'POST',
        route: 'POST /v1/packages',
        path: '/v1/packages',
        body: input,
        idempotencyKey,
      },
      PackageRecord,
      this.scope,
    );
  }
}
