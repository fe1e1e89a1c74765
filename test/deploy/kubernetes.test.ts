import { readdirSync, readFileSync } from 'node:fs';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Secret, Service } from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { ENV_VARIABLES, loadConfig } from '../../src/config.js';
import { isKnownVariable } from './known-variables.js';

/**
 * `deploy/kubernetes/`, offline: every object validated against the Kubernetes API's schemas
 * (kubernetes-models, which carries them), and the objects checked against each other and
 * against the BFF's code: every variable they set is one `src/config.ts` reads, probes and
 * ports are the BFF's, the grace period outlasts the drain.
 */

const FOLDER = new URL('../../deploy/kubernetes/', import.meta.url);
const kustomization = parse(readFileSync(new URL('kustomization.yaml', FOLDER), 'utf8')) as {
  resources?: string[];
  images?: Array<{ name: string; newTag?: string }>;
};
const packageJson = JSON.parse(
  readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
) as { version: string };

/** The models of the kinds the folder holds, by `apiVersion/kind`. */
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
};

interface Manifest {
  file: string;
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  [key: string]: unknown;
}

const manifests: Manifest[] = readdirSync(FOLDER)
  .filter((file) => file.endsWith('.yaml') && file !== 'kustomization.yaml')
  .flatMap((file) =>
    parseAllDocuments(readFileSync(new URL(file, FOLDER), 'utf8')).map(
      (document) => ({ ...document.toJS(), file }) as Manifest,
    ),
  );

function only<T>(kind: string): T {
  const found = manifests.filter((m) => m.kind === kind);
  expect(found, kind).toHaveLength(1);
  return found[0] as T;
}

const configMap = only<ConfigMap & Manifest>('ConfigMap');
const secret = only<Secret & Manifest>('Secret');
const deployment = only<Deployment & Manifest>('Deployment');
const service = only<Service & Manifest>('Service');
const hpa = only<HorizontalPodAutoscaler & Manifest>('HorizontalPodAutoscaler');
const pdb = only<PodDisruptionBudget & Manifest>('PodDisruptionBudget');
const networkPolicy = only<NetworkPolicy & Manifest>('NetworkPolicy');
const pod = deployment.spec?.template.spec;
const container = pod?.containers[0];
const settings = configMap.data ?? {};

describe('deploy/kubernetes', () => {
  it('holds only objects valid against the Kubernetes API schemas', () => {
    expect(manifests.length).toBe(7);
    for (const manifest of manifests) {
      const { file, ...object } = manifest;
      const Model = MODELS[`${object.apiVersion}/${object.kind}`];
      expect(Model, `${file}: ${object.apiVersion} ${object.kind}`).toBeDefined();
      expect(() =>
        new (Model as NonNullable<typeof Model>)(object as never).validate(),
      ).not.toThrow();
    }
  });

  it('is read by a validation that refuses a broken object', () => {
    const { file: _, ...object } = structuredClone(deployment) as Manifest;
    const broken = { ...object, spec: { ...(object.spec as object), replicas: 'two' } };
    expect(() => new Deployment(broken as never).validate()).toThrow(/replicas/);
  });

  it('lists every file in its kustomization but the Secret, which an apply must not overwrite', () => {
    const listed = kustomization.resources ?? [];
    const files = new Set(manifests.map((m) => m.file));
    expect(new Set(listed)).toEqual(
      new Set([...files].filter((f) => !f.endsWith('.example.yaml'))),
    );
    expect(secret.file).toBe('secret.example.yaml');
  });

  it("runs the image of package.json's version", () => {
    expect(container?.image).toBe('skyway');
    expect(kustomization.images).toEqual([{ name: 'skyway', newTag: packageJson.version }]);
  });

  it('sets only variables src/config.ts reads, with values it accepts', () => {
    const names = [
      ...Object.keys(settings),
      ...(container?.env ?? []).map((variable) => variable.name),
    ];
    expect(names.filter((name) => !isKnownVariable(name))).toEqual([]);
    expect(ENV_VARIABLES).toContain('METRICS_PORT');
    // The ConfigMap with the Secret's value loads as the BFF would load it.
    const env = {
      ...settings,
      IDEMPOTENCY_STORE: secret.stringData?.url,
      RATE_LIMIT_STORE: secret.stringData?.url,
    };
    const config = loadConfig(env);
    expect(config.env).toBe('production');
    expect(config.host).toBe('0.0.0.0');
    expect(config.metrics.host).toBe('0.0.0.0');
    // Behind the ingress controller: the one hop it appends names the client.
    expect(config.trustedProxies).toBe(1);
  });

  it('lets only the ingress controller reach the public port, the hop TRUSTED_PROXIES believes', () => {
    expect(networkPolicy.spec?.podSelector.matchLabels).toEqual(
      deployment.spec?.template.metadata?.labels,
    );
    expect(networkPolicy.spec?.policyTypes).toEqual(['Ingress']);
    const rules = networkPolicy.spec?.ingress ?? [];
    const onPort = (name: string) => rules.filter((r) => r.ports?.some((p) => p.port === name));
    // Every rule admitting the public port names its sources, none of them "everyone".
    expect(onPort('http').length).toBeGreaterThan(0);
    for (const rule of onPort('http')) {
      expect(rule.from?.length).toBeGreaterThan(0);
      for (const peer of rule.from ?? []) expect(peer.podSelector?.matchLabels).toBeDefined();
    }
    // No rule without ports, which would admit every port.
    expect(rules.every((rule) => (rule.ports?.length ?? 0) > 0)).toBe(true);
    expect(onPort('metrics')).toHaveLength(1);
  });

  it('takes the Redis URL from the Secret, for both shared stores', () => {
    for (const name of ['IDEMPOTENCY_STORE', 'RATE_LIMIT_STORE']) {
      const variable = container?.env?.find((v) => v.name === name);
      expect(variable?.valueFrom?.secretKeyRef).toEqual({ name: secret.metadata.name, key: 'url' });
      expect(settings[name]).toBeUndefined();
    }
    expect(container?.envFrom).toEqual([{ configMapRef: { name: configMap.metadata.name } }]);
  });

  it("probes /readyz and /healthz on the BFF's port, and has metrics annotated on the metrics port", () => {
    const config = loadConfig(settings);
    const ports = Object.fromEntries(
      (container?.ports ?? []).map((p) => [p.name, p.containerPort]),
    );
    expect(ports).toEqual({ http: config.port, metrics: config.metrics.port });
    expect(container?.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(container?.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(deployment.spec?.template.metadata?.annotations).toMatchObject({
      'prometheus.io/scrape': 'true',
      'prometheus.io/port': String(config.metrics.port),
      'prometheus.io/path': '/metrics',
    });
    // The Service publishes the public port only.
    expect(service.spec?.ports?.map((p) => p.targetPort)).toEqual(['http']);
  });

  it('lets a drain finish: the grace period outlasts preStop plus SHUTDOWN_TIMEOUT_MS', () => {
    const { shutdownTimeoutMs } = loadConfig(settings);
    const preStop = container?.lifecycle?.preStop?.exec?.command ?? [];
    expect(preStop[0]).toBe('sleep');
    const sleepS = Number(preStop[1]);
    expect(pod?.terminationGracePeriodSeconds).toBeGreaterThan(sleepS + shutdownTimeoutMs / 1000);
  });

  it('requests and limits resources, and runs as a user that is not root', () => {
    expect(container?.resources?.requests).toMatchObject({
      cpu: expect.any(String),
      memory: expect.any(String),
    });
    expect(container?.resources?.limits).toMatchObject({
      cpu: expect.any(String),
      memory: expect.any(String),
    });
    expect(pod?.securityContext?.runAsNonRoot).toBe(true);
    expect(container?.securityContext?.readOnlyRootFilesystem).toBe(true);
  });

  it('scales from two replicas, evicts one at a time, and every selector finds the pods', () => {
    const labels = deployment.spec?.template.metadata?.labels ?? {};
    expect(deployment.spec?.selector.matchLabels).toEqual(labels);
    expect(service.spec?.selector).toEqual(labels);
    expect(pdb.spec?.selector?.matchLabels).toEqual(labels);
    expect(pdb.spec?.maxUnavailable).toBe(1);
    expect(hpa.spec?.minReplicas).toBeGreaterThanOrEqual(2);
    expect(hpa.spec?.scaleTargetRef).toMatchObject({
      kind: 'Deployment',
      name: deployment.metadata.name,
    });
  });
});
