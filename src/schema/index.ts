import { builder } from './builder.js';
import './date-time.js';
import './location.js';
import './account.js';
import './package.js';
import './drone.js';
import './charge.js';
import './delivery.js';
import './delivery-mutations.js';

/** The served schema: every type file above registers itself with the builder. */
export const schema = builder.toSchema();
