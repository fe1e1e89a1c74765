import type { CallScope } from './http-client.js';
import type { DroneRecord } from './records.js';
import type { BoundReader, ResourceReader } from './resource.js';

/** The drones service, for one request: the fleet, read-only for the BFF. */
export class DronesClient {
  readonly drones: BoundReader<DroneRecord>;

  constructor(drones: ResourceReader<DroneRecord>, scope: CallScope) {
    this.drones = drones.bind(scope);
  }
}
