import type { UpstreamHttpClient } from './http-client.js';
import { DroneBatch, DroneRecord } from './records.js';
import { ResourceReader } from './resource.js';

/** The drones service: the fleet, read-only for the BFF. */
export class DronesClient {
  readonly drones: ResourceReader<DroneRecord>;

  constructor(http: UpstreamHttpClient) {
    this.drones = new ResourceReader(http, '/v1/drones', DroneRecord, DroneBatch);
  }
}
