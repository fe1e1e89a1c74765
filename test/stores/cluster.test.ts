import { startRedisCluster } from '../helpers/redis-topology.js';
import { describeTopology } from './topology-suite.js';

/** The stores on a real Redis Cluster: three masters, three replicas, started by this file. */
describeTopology('redis cluster', startRedisCluster);
