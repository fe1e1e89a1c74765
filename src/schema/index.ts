import { specifiedDirectives } from 'graphql';
import { COST_DIRECTIVES } from '../cost/directives.js';
import { builder } from './builder.js';
import './date-time.js';
import './location.js';
import './account.js';
import './package.js';
import './drone.js';
import './charge.js';
import './delivery.js';
import './delivery-mutations.js';
import './deprecated.js';
import { resolveNodeIdsSynchronously } from './sync-node-ids.js';

/**
 * The served schema: every type file above registers itself with the builder. The cost
 * directives are declared in it so that the printed schema, with their uses, is valid SDL.
 */
export const schema = resolveNodeIdsSynchronously(
  builder.toSchema({ directives: [...specifiedDirectives, ...COST_DIRECTIVES] }),
);
