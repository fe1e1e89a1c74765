import { type DocumentNode, type GraphQLSchema, TypeInfo, visit, visitWithTypeInfo } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Context } from '../context.js';
import { clientNameOf } from '../observability/labels.js';
import type { Metrics } from '../observability/metrics.js';
import type { DeprecationDates } from '../schema/deprecated.js';

/**
 * Tells a client, in the response it is reading, that it used a deprecated field: the
 * `Deprecation` header (RFC 9745, `@<epoch seconds>`), the `Sunset` header (RFC 8594, the
 * removal date) and `extensions.deprecations` naming each field. The same use is counted per
 * field and client name (`x-client-name` or `apollographql-client-name`), so the team knows
 * when a field can go. A response that used no deprecated field gets none of it.
 *
 * It goes after the guarded entry: a refused request ran nothing, so it used no field, and its
 * client name takes no place among the labels.
 */

/** One deprecated field an operation used, as `extensions.deprecations` lists it. */
export interface DeprecationUse {
  field: string;
  reason: string;
  sunset?: string;
}

interface Found {
  uses: DeprecationUse[];
  /** The fields' dates, for the headers. */
  dates: DeprecationDates[];
}

export function useDeprecationSignals({ metrics }: { metrics: Metrics }): Plugin<Context> {
  // Documents are cached by Yoga's parser, so each distinct one is walked once.
  const byDocument = new WeakMap<DocumentNode, Found>();
  const byRequest = new WeakMap<Request, Found>();
  let schema: GraphQLSchema | undefined;

  return {
    onSchemaChange({ schema: changed }) {
      schema = changed;
    },
    onExecute({ args }) {
      if (!schema) return;
      let found = byDocument.get(args.document);
      if (!found) {
        found = deprecatedFieldsIn(schema, args.document);
        byDocument.set(args.document, found);
      }
      const { uses } = found;
      if (uses.length === 0) return;
      const request = (args.contextValue as Context & { request: Request }).request;
      byRequest.set(request, found);
      const name = clientNameOf(request);
      const client = name === undefined ? 'unknown' : metrics.clientNames.valueOf(name);
      for (const use of uses) metrics.deprecatedFields.inc({ field: use.field, client });
      return {
        onExecuteDone({ result, setResult }) {
          if (Symbol.asyncIterator in result) return;
          setResult({ ...result, extensions: { ...result.extensions, deprecations: uses } });
        },
      };
    },
    onResponse({ request, response }) {
      const found = byRequest.get(request);
      if (!found || found.dates.length === 0) return;
      const deprecatedOn = Math.min(...found.dates.map((d) => Date.parse(d.deprecatedOn)));
      const sunset = Math.min(...found.dates.map((d) => Date.parse(d.sunset)));
      response.headers.set('deprecation', `@${Math.floor(deprecatedOn / 1000)}`);
      response.headers.set('sunset', new Date(sunset).toUTCString());
    },
  };
}

/** Every deprecated field the document selects, once each, as `Type.field`, with its dates. */
export function deprecatedFieldsIn(schema: GraphQLSchema, document: DocumentNode): Found {
  const uses = new Map<string, DeprecationUse>();
  const dates: DeprecationDates[] = [];
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field() {
        const field = typeInfo.getFieldDef();
        const parent = typeInfo.getParentType();
        if (!field?.deprecationReason || !parent) return;
        const name = `${parent.name}.${field.name}`;
        if (uses.has(name)) return;
        const fieldDates = field.extensions.deprecation as DeprecationDates | undefined;
        uses.set(name, {
          field: name,
          reason: field.deprecationReason,
          sunset: fieldDates?.sunset,
        });
        if (fieldDates) dates.push(fieldDates);
      },
    }),
  );
  return { uses: [...uses.values()], dates };
}
