import { startRedisSentinel } from '../helpers/redis-topology.js';
import { describeTopology } from './topology-suite.js';

/** The stores behind real Sentinels: a master, a replica and three Sentinels, started by this file. */
describeTopology('redis sentinel', () => startRedisSentinel());
