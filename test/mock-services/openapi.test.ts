import { describe, expect, it } from 'vitest';
import { emptySeedData } from '../../mock-services/data.js';
import { routeKey } from '../../mock-services/http/router.js';
import {
  controlsDocument,
  openApiDocument,
  SERVICE_NAMES,
  type ServiceName,
} from '../../mock-services/index.js';
import { accountsRoutes } from '../../mock-services/services/accounts.js';
import { deliveriesRoutes } from '../../mock-services/services/deliveries.js';
import { dronesRoutes } from '../../mock-services/services/drones.js';
import { packagesRoutes } from '../../mock-services/services/packages.js';
import { paymentsRoutes } from '../../mock-services/services/payments.js';
import { createTokenIssuer } from '../../mock-services/tokens.js';

type Json = Record<string, unknown>;

const CONTROLS = [
  'GET /__stats',
  'POST /__reset',
  'GET /__chaos',
  'PUT /__chaos',
  'GET /openapi.json',
];

async function routeKeys(service: ServiceName): Promise<string[]> {
  const data = emptySeedData();
  const routes = {
    accounts: () => createTokenIssuer().then((tokens) => accountsRoutes(data, tokens)),
    deliveries: async () => deliveriesRoutes(data),
    packages: async () => packagesRoutes(data),
    drones: async () => dronesRoutes(data),
    payments: async () => paymentsRoutes(data),
  };
  return (await routes[service]()).map(routeKey).sort();
}

function documentedKeys(document: Json): string[] {
  return Object.entries(document.paths as Record<string, Json>)
    .flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`))
    .sort();
}

/** Every object in `value`, depth first, with its JSON pointer. */
function* walk(value: unknown, pointer = ''): Generator<[string, Json]> {
  if (typeof value !== 'object' || value === null) return;
  if (!Array.isArray(value)) yield [pointer, value as Json];
  for (const [key, item] of Object.entries(value)) yield* walk(item, `${pointer}/${key}`);
}

/** What every structural test below holds of a document. */
function expectWellFormed(document: Json): void {
  expect(document.openapi).toBe('3.1.0');
  const operationIds = [...walk(document.paths)].flatMap(([, node]) =>
    typeof node.operationId === 'string' ? [node.operationId] : [],
  );
  expect(new Set(operationIds).size).toBe(operationIds.length);
  for (const [pointer, node] of walk(document)) {
    if (typeof node.$ref !== 'string') continue;
    const target = node.$ref
      .slice(2)
      .split('/')
      .reduce<unknown>((at, part) => (at as Json | undefined)?.[part], document);
    expect(target, `${pointer} → ${node.$ref}`).toBeDefined();
  }
}

describe('the controls document', () => {
  const document = controlsDocument();

  it('documents exactly the test controls every mock serves', () => {
    expect(documentedKeys(document)).toEqual([...CONTROLS].sort());
  });

  it('is OpenAPI 3.1 with unique operation ids and refs that resolve', () => {
    expectWellFormed(document);
  });
});

describe.each(SERVICE_NAMES)('the %s document', (service) => {
  const document = openApiDocument(service);

  it('documents exactly the routes the service serves, and no test control', async () => {
    expect(documentedKeys(document)).toEqual(await routeKeys(service));
    for (const key of CONTROLS) expect(documentedKeys(document)).not.toContain(key);
    expect(JSON.stringify(document.components)).not.toMatch(/Chaos|"Stats"/);
  });

  it('is OpenAPI 3.1 with unique operation ids and refs that resolve', () => {
    expectWellFormed(document);
  });

  it('has strict schemas: closed objects, records with every property required', () => {
    const schemas = (document.components as { schemas: Record<string, Json> }).schemas;
    for (const [pointer, node] of walk(schemas)) {
      if (node.type === 'object' && node.properties !== undefined) {
        expect(node.additionalProperties, pointer).toBe(false);
      }
    }
    const answers = Object.keys(schemas).filter(
      (name) => !/Create|Request|Cancel|Payment|Action/.test(name),
    );
    for (const name of answers) {
      const schema = schemas[name] as { properties?: object; required?: string[] };
      if (schema.properties !== undefined)
        expect(schema.required, name).toEqual(Object.keys(schema.properties));
    }
  });

  it('documents the batch maximum, the cursor semantics and Idempotency-Key', () => {
    const text = JSON.stringify(document);
    expect(text).toContain('"maxItems":100');
    if (service !== 'drones' && service !== 'packages')
      expect(text).toContain('the `id` of the last record already seen');
    expect(text).toContain('Idempotency-Key');
  });
});
