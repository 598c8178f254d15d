// The HTTP listener's settings Authelia's `server` section carries besides the address: TLS (and
// mutual TLS), timeouts, buffers and the Content-Security-Policy template. How each maps onto
// Node's HTTP server is described once, in server/listener.ts.
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { ALWAYS, durationWithDefault } from './schema-kit.ts';

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

export const serverTls = z
  .strictObject({
    key: z
      .string()
      .min(1)
      .optional()
      .describe(
        'The private key file (PEM: PKCS#8, PKCS#1 or SEC1), relative to the configuration file. With `certificate`, Sesame serves HTTPS.',
      ),
    certificate: z
      .string()
      .min(1)
      .optional()
      .describe(
        'The certificate file (PEM), relative to the configuration file; the server certificate first, then any intermediates.',
      ),
    client_certificates: z
      .array(z.string().min(1))
      .default([])
      .describe(
        'Files of CA certificates (PEM, root or intermediate) that sign client certificates. When set, every client must present a certificate they sign (mutual TLS); others are refused during the handshake.',
      ),
  })
  .superRefine((value, ctx) => {
    const problem = (path: string, message: string) =>
      ctx.addIssue({ code: 'custom', path: [path], message });
    if (value.key !== undefined && value.certificate === undefined)
      problem('certificate', 'is required when key is set');
    if (value.certificate !== undefined && value.key === undefined)
      problem('key', 'is required when certificate is set');
    if (
      value.key === undefined &&
      Array.isArray(value.client_certificates) &&
      value.client_certificates.length
    )
      problem('client_certificates', 'needs TLS: set key and certificate too');
  }, ALWAYS)
  .optional()
  .describe('Serve HTTPS instead of HTTP (Authelia’s `server.tls`). Without it, terminate TLS at a proxy.');

/** A listener's timeouts (the main server's and the metrics server's). */
export const timeouts = (what: string) =>
  z
    .strictObject({
      read: durationWithDefault('6s').describe(
        'How long a client has to send a whole request (headers and body); then it is answered 408 and disconnected.',
      ),
      write: durationWithDefault('6s').describe(
        'How long writing a response may take, from its first byte to its last; a client that reads too slowly is disconnected.',
      ),
      idle: durationWithDefault('30s').describe(
        'How long a kept-alive connection may wait for its next request before it is closed.',
      ),
    })
    .prefault({})
    .describe(`Timeouts of ${what} (Authelia’s defaults: 6s, 6s, 30s).`);

/** A listener's buffers (the main server's and the metrics server's). */
export const buffers = (what: string) =>
  z
    .strictObject({
      read: z
        .number()
        .int()
        .min(1024)
        .max(1048576)
        .optional()
        .describe(
          'Bytes: the largest request line and headers accepted; larger ones are answered 431. Unset: 16384 (Authelia’s 4096 is often too small behind forward-auth, where every cookie of the domain arrives).',
        ),
      write: z
        .number()
        .int()
        .min(1024)
        .max(16777216)
        .optional()
        .describe(
          'Bytes a connection buffers on its way out before the server waits for the client to read (the socket’s high-water mark). Unset: Node’s default.',
        ),
    })
    .prefault({})
    .describe(`Buffers of ${what}.`);

export const serverTimeouts = timeouts('the HTTP server');
export const serverBuffers = buffers('the HTTP server');

export const serverHeaders = z
  .strictObject({
    csp_template: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Replaces Sesame’s Content-Security-Policy on every answer; each `${NONCE}` becomes a fresh random nonce per response. Security critical: leave unset unless you know why.',
      ),
  })
  .prefault({})
  .describe('Response headers.');

/** The keys this module adds to `server`. */
export const serverSettings = {
  tls: serverTls,
  timeouts: serverTimeouts,
  buffers: serverBuffers,
  headers: serverHeaders,
};

export type ServerTls = NonNullable<z.output<typeof serverTls>>;
export type ServerTimeouts = z.output<typeof serverTimeouts>;
export type ServerBuffers = z.output<typeof serverBuffers>;

/** The TLS material, read and checked: the key, the certificate chain and the client CAs. */
export interface TlsMaterial {
  key: string;
  cert: string;
  ca?: string[];
}

interface FileProblem {
  path: (string | number)[];
  message: string;
  allowed?: string;
}

function readText(file: string): string | { problem: string } {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { problem: code === 'ENOENT' ? `${file} does not exist` : `${file} cannot be read (${code})` };
  }
}

function parseKey(text: string): KeyObject | undefined {
  try {
    return createPrivateKey(text);
  } catch {
    return undefined;
  }
}

function parseCertificate(text: string): X509Certificate | undefined {
  try {
    return new X509Certificate(text);
  } catch {
    return undefined;
  }
}

/**
 * Reads server.tls's files (paths already absolute): the key must be a private key, the
 * certificate must parse and belong to the key, each client CA file must hold certificates.
 */
export function readTlsMaterial(tls: ServerTls): { material?: TlsMaterial; problems: FileProblem[] } {
  const problems: FileProblem[] = [];
  const keyText = readText(tls.key!);
  const certText = readText(tls.certificate!);
  if (typeof keyText !== 'string') problems.push({ path: ['key'], message: keyText.problem });
  if (typeof certText !== 'string') problems.push({ path: ['certificate'], message: certText.problem });
  const key = typeof keyText === 'string' ? parseKey(keyText) : undefined;
  const certificate = typeof certText === 'string' ? parseCertificate(certText) : undefined;
  if (typeof keyText === 'string' && !key)
    problems.push({
      path: ['key'],
      message: `${tls.key} is not a PEM private key`,
      allowed: 'PKCS#8, PKCS#1 or SEC1 PEM',
    });
  if (typeof certText === 'string' && !certificate)
    problems.push({ path: ['certificate'], message: `${tls.certificate} is not a PEM certificate` });
  if (key && certificate && !certificate.checkPrivateKey(key))
    problems.push({
      path: ['certificate'],
      message: `${tls.certificate} does not belong to the key ${tls.key}`,
    });
  const ca = tls.client_certificates.map((file, index) => {
    const text = readText(file);
    if (typeof text !== 'string')
      problems.push({ path: ['client_certificates', index], message: text.problem });
    else if (!text.match(PEM_CERTIFICATE)?.every((pem) => parseCertificate(pem)))
      problems.push({ path: ['client_certificates', index], message: `${file} holds no PEM certificate` });
    return typeof text === 'string' ? text : '';
  });
  if (problems.length > 0) return { problems };
  return {
    material: { key: keyText as string, cert: certText as string, ca: ca.length > 0 ? ca : undefined },
    problems,
  };
}

/** server.tls's paths made absolute (relative ones are relative to the configuration file). */
export function resolveTlsPaths(tls: ServerTls | undefined, base: string): void {
  if (!tls?.key || !tls.certificate) return;
  const absolute = (path: string) => (isAbsolute(path) ? path : resolve(base, path));
  tls.key = absolute(tls.key);
  tls.certificate = absolute(tls.certificate);
  tls.client_certificates = tls.client_certificates.map(absolute);
}
