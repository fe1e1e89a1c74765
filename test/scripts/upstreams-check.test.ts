import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify as toYaml } from 'yaml';
import { readDocument } from '../../scripts/upstreams/generate.js';
import { checkUpstreams, formatChecks, type ServiceCheck } from '../../scripts/upstreams-check.js';

/**
 * `npm run upstreams:check` catches a service's document change that would break the BFF,
 * before it ships. Each test edits a copy of a committed document the way a service team
 * might, writes it where `--spec` reads it, and checks what the BFF is told.
 */

// biome-ignore lint/suspicious/noExplicitAny: the tests edit documents at arbitrary JSON paths, as a person edits the file
type Json = Record<string, any>;

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'upstreams-check-'));
});
afterAll(() => rm(directory, { recursive: true, force: true }));

/** A copy of `service`'s committed document, edited, written as a file; its path. */
async function edited(service: string, edit: (document: Json) => void, yaml = false) {
  const document = (await readDocument(service)) as Json;
  edit(document);
  const file = join(
    directory,
    `${service}-${Math.random().toString(36).slice(2)}.${yaml ? 'yaml' : 'json'}`,
  );
  await writeFile(file, yaml ? toYaml(document) : JSON.stringify(document));
  return file;
}

function findingsOf(checks: ServiceCheck[], service: string) {
  return (checks.find((check) => check.service === service)?.findings ?? []).map(
    (f) => `${f.severity} | ${f.route} | ${f.subject}: ${f.message}`,
  );
}

const breaking = (checks: ServiceCheck[]) =>
  checks.flatMap((c) => c.findings.filter((f) => f.severity === 'breaking'));

describe('upstreams:check', () => {
  it('finds nothing in the committed documents: the BFF was generated from them', async () => {
    const checks = await checkUpstreams();
    expect(checks.map((c) => c.findings)).toEqual([[], [], [], [], []]);
  });

  it('names a removed property the BFF reads, with every route that reads it', async () => {
    const spec = await edited('drones', (d) => {
      delete d.components.schemas.Drone.properties.batteryPct;
      d.components.schemas.Drone.required = d.components.schemas.Drone.required.filter(
        (name: string) => name !== 'batteryPct',
      );
    });
    const checks = await checkUpstreams({ drones: spec });
    expect(findingsOf(checks, 'drones')).toEqual([
      'breaking | GET /v1/drones, GET /v1/drones/{id} | Drone.batteryPct: removed: the BFF reads it',
    ]);
  });

  it('names a retyped property, and one that may now be null', async () => {
    const spec = await edited('payments', (d) => {
      d.components.schemas.Charge.properties.amountCents.type = 'string';
      d.components.schemas.Charge.properties.currency.type = ['string', 'null'];
    });
    const findings = findingsOf(await checkUpstreams({ payments: spec }), 'payments');
    expect(findings).toEqual([
      expect.stringMatching(
        /^breaking \| .*GET \/v1\/charges\/\{id\}.* \| Charge\.amountCents: retyped integer → string/,
      ),
      expect.stringMatching(/^breaking \| .* \| Charge\.currency: retyped string → string\|null/),
    ]);
  });

  it('names a removed parameter the BFF sends, and a removed body property', async () => {
    const spec = await edited('deliveries', (d) => {
      d.components.parameters.OwnerId.name = 'owner';
      delete d.components.schemas.DeliveryPayment.properties.chargeId;
      d.components.schemas.DeliveryPayment.required = [];
    });
    const findings = findingsOf(await checkUpstreams({ deliveries: spec }), 'deliveries');
    expect(findings).toEqual(
      expect.arrayContaining([
        'breaking | GET /v1/deliveries | query parameter ownerId: removed: the BFF sends it',
        'breaking | POST /v1/deliveries/{id}/payment | body.chargeId: removed: the BFF sends it',
        'breaking | POST /v1/deliveries/{id}/payment/release | body.chargeId: removed: the BFF sends it',
      ]),
    );
    expect(findings.every((f) => f.startsWith('breaking'))).toBe(true);
  });

  it('names a removed route the BFF calls', async () => {
    const spec = await edited('payments', (d) => {
      delete d.paths['/v1/charges/{id}/capture'];
    });
    expect(findingsOf(await checkUpstreams({ payments: spec }), 'payments')).toEqual([
      'breaking | POST /v1/charges/{id}/capture | route: removed: the BFF calls it',
    ]);
  });

  it('passes added optional properties, routes and enum values, naming the enum values the BFF must handle', async () => {
    const spec = await edited('deliveries', (d) => {
      d.components.schemas.Delivery.properties.priority = { type: 'integer' };
      d.components.schemas.Delivery.properties.status.enum.push('LOST');
      d.components.parameters.DeliveryStatus.schema.enum.push('LOST');
      d.paths['/v1/deliveries/{id}/track'] = {
        get: { operationId: 'trackDelivery', responses: { '200': { description: 'Where.' } } },
      };
    });
    const checks = await checkUpstreams({ deliveries: spec });
    expect(breaking(checks)).toEqual([]);
    expect(findingsOf(checks, 'deliveries')).toEqual([
      expect.stringMatching(
        /^must handle \| .* \| Delivery\.status: may now be "LOST": the BFF must handle it/,
      ),
      'additive | GET /v1/deliveries/{id}/track | route: added; the BFF does not call it',
      expect.stringMatching(
        /^additive \| .* \| Delivery\.priority: added \(optional\); the BFF does not read it$/,
      ),
    ]);
  });

  it('calls an enum value added where the BFF reads nothing additive', async () => {
    const spec = await edited('accounts', (d) => {
      d.components.schemas.TokenRequest.properties.role.enum.push('AUDITOR');
      d.components.schemas.Error.properties.error.properties.code.enum.push('GONE');
    });
    const findings = findingsOf(await checkUpstreams({ accounts: spec }), 'accounts');
    expect(findings).toEqual([
      'additive | - | Error.error.code: enum value "GONE" added; the BFF does not read it',
      'additive | - | TokenRequest.role: enum value "AUDITOR" added; the BFF does not read it',
    ]);
  });

  it('reads a YAML document, and one served over HTTP', async () => {
    const yaml = await edited('drones', (d) => delete d.paths['/v1/drones'], true);
    expect(breaking(await checkUpstreams({ drones: yaml }))).toHaveLength(1);

    const document = await readDocument('packages');
    delete (document.paths as Json)['/v1/packages'].post;
    const server: Server = createServer((_request, response) => {
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify(document));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/openapi.json`;
      const checks = await checkUpstreams({ packages: url });
      expect(formatChecks(checks)).toContain(
        `packages (${url}): 1 breaking, 0 other change(s)\n  packages  breaking  POST /v1/packages  route: removed: the BFF calls it`,
      );
    } finally {
      server.close();
    }
  });

  const tsx = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));
  const repo = fileURLToPath(new URL('../../', import.meta.url));
  const run = (...args: string[]) =>
    spawnSync(tsx, ['scripts/upstreams-check.ts', ...args], { cwd: repo, encoding: 'utf8' });

  it('exits 1 on a breaking change, 0 on the committed documents, 2 on a bad --spec', async () => {
    const spec = await edited('drones', (d) => delete d.paths['/v1/drones/{id}']);
    const broken = run('--spec', `drones=${spec}`);
    expect(broken.status).toBe(1);
    expect(broken.stdout).toContain('drones  breaking  GET /v1/drones/{id}  route: removed');
    expect(run().status).toBe(0);
    const bad = run('--spec', 'weather=x.json');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--spec weather=x\.json: expected <service>=<path or url>/);
  });
});
