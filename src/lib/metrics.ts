// Prometheus metrics (telemetry.metrics), in prom-client's process-wide registry so that a cluster's
// primary can sum its workers' (AggregatorRegistry). Where Authelia has a metric, Sesame uses its
// name, labels and buckets, so dashboards made for Authelia keep working; what Authelia lacks
// (requests by route, tokens by grant type, errors) is named `sesame_…`.
// Nothing is recorded until enableMetrics() runs: without telemetry.metrics each call returns at once.
import cluster from 'node:cluster';
import { AggregatorRegistry, collectDefaultMetrics, Counter, Histogram, register } from 'prom-client';

const REQUEST_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 20, 30, 40, 50, 60];
const AUTHN_BUCKETS = [
  0.0005, 0.00075, 0.001, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 0.9, 1, 5, 10,
  15, 30, 60,
];

const metrics = {
  request: new Counter({
    name: 'authelia_request',
    help: 'The number of HTTP requests processed.',
    labelNames: ['code', 'method'] as const,
  }),
  requestDuration: new Histogram({
    name: 'authelia_request_duration',
    help: 'The time a HTTP request takes to process in seconds.',
    labelNames: ['code'] as const,
    buckets: REQUEST_BUCKETS,
  }),
  requestDurationOidc: new Histogram({
    name: 'authelia_request_duration_openid_connect',
    help: 'The time a HTTP request takes to process in seconds for the OpenID Connect 1.0 endpoints.',
    labelNames: ['endpoint', 'code'] as const,
    buckets: REQUEST_BUCKETS,
  }),
  authz: new Counter({
    name: 'authelia_authz',
    help: 'The number of authz requests processed.',
    labelNames: ['code'] as const,
  }),
  authn: new Counter({
    name: 'authelia_authn',
    help: 'The number of 1FA authentications processed.',
    labelNames: ['success', 'banned'] as const,
  }),
  authnPasskey: new Counter({
    name: 'authelia_authn_passkey',
    help: 'The number of Passkey authentications processed.',
    labelNames: ['success'] as const,
  }),
  authnSecondFactor: new Counter({
    name: 'authelia_authn_second_factor',
    help: 'The number of 2FA authentications processed.',
    labelNames: ['success', 'banned', 'type'] as const,
  }),
  authnDuration: new Histogram({
    name: 'authelia_authn_duration',
    help: 'The time an authentication attempt takes in seconds.',
    labelNames: ['success'] as const,
    buckets: AUTHN_BUCKETS,
  }),
  routeDuration: new Histogram({
    name: 'sesame_request_duration_seconds',
    help: 'HTTP requests by route (the route pattern; `oidc:<endpoint>` for the OpenID Connect endpoints; `unmatched` when no route matched), method and status, and the time they took.',
    labelNames: ['route', 'method', 'code'] as const,
    buckets: REQUEST_BUCKETS,
  }),
  tokens: new Counter({
    name: 'sesame_tokens_issued_total',
    help: 'Token responses issued at the token endpoint, by grant type.',
    labelNames: ['grant_type'] as const,
  }),
  errors: new Counter({
    name: 'sesame_errors_total',
    help: 'Requests that failed on the server’s side (answered 500): `http` for pages and the admin API, `protocol` for the OpenID Connect endpoints.',
    labelNames: ['source'] as const,
  }),
};

let enabled = false;

/**
 * Starts recording (and the process metrics: CPU, memory, event loop). In a cluster's worker, also
 * answers the primary's requests for this worker's metrics.
 */
export function enableMetrics(): void {
  if (enabled) return;
  enabled = true;
  collectDefaultMetrics();
  if (cluster.isWorker) new AggregatorRegistry(); // (its constructor installs the worker's listener)
}

export function metricsEnabled(): boolean {
  return enabled;
}

export interface RequestSample {
  method: string;
  code: number;
  route: string;
  seconds: number;
  /** The OpenID Connect endpoint's name, for a protocol request. */
  endpoint?: string;
}

export function recordRequest(sample: RequestSample): void {
  if (!enabled) return;
  const code = String(sample.code);
  metrics.request.inc({ code, method: sample.method });
  metrics.requestDuration.observe({ code }, sample.seconds);
  metrics.routeDuration.observe({ route: sample.route, method: sample.method, code }, sample.seconds);
  if (sample.endpoint)
    metrics.requestDurationOidc.observe({ endpoint: sample.endpoint, code }, sample.seconds);
  if (sample.code >= 500) metrics.errors.inc({ source: sample.endpoint ? 'protocol' : 'http' });
}

/** Authelia's authentication types: `1fa` (password), `passkey`, or a second factor's (`totp`, `webauthn` …). */
export function recordAuthentication(type: string, success: boolean, banned: boolean, seconds: number): void {
  if (!enabled) return;
  const outcome = { success: String(success) };
  if (type === '1fa') metrics.authn.inc({ ...outcome, banned: String(banned) });
  else if (type === 'passkey') metrics.authnPasskey.inc(outcome);
  else metrics.authnSecondFactor.inc({ ...outcome, banned: String(banned), type });
  metrics.authnDuration.observe(outcome, seconds);
}

/** A forward-auth (authz) answer. */
export function recordAuthz(code: number): void {
  if (enabled) metrics.authz.inc({ code: String(code) });
}

export function recordTokenIssued(grantType: string): void {
  if (enabled) metrics.tokens.inc({ grant_type: grantType });
}

/** The exposition of this process's metrics. */
export async function processMetrics(): Promise<{ contentType: string; body: string }> {
  return { contentType: register.contentType, body: await register.metrics() };
}

/** In a cluster's primary: every worker's metrics, summed. */
export function clusterMetricsSource(): () => Promise<{ contentType: string; body: string }> {
  const aggregator = new AggregatorRegistry();
  return async () => ({ contentType: aggregator.contentType, body: await aggregator.clusterMetrics() });
}
