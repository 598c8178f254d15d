// Structured JSON logs (pino) that never carry a secret: credentials in headers are redacted and
// sensitive query parameters are masked before a URL is logged.
import pino, { type Logger } from 'pino';

const SENSITIVE_PARAMS = new Set([
  'code',
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'id_token_hint',
  'logout_token',
  'client_secret',
  'client_assertion',
  'password',
  'otp',
  'secret',
  'request',
  // A pushed authorization request's handle: whoever holds it can start that authorization.
  'request_uri',
]);

/** The URL with the values of credential-bearing query parameters replaced. */
export function redactUrl(url: string): string {
  const queryStart = url.indexOf('?');
  if (queryStart < 0) return url;
  const params = new URLSearchParams(url.slice(queryStart + 1));
  for (const key of params.keys()) if (SENSITIVE_PARAMS.has(key.toLowerCase())) params.set(key, '[redacted]');
  return `${url.slice(0, queryStart)}?${params.toString()}`;
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'sesame' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          'req.headers["proxy-authorization"]',
          'res.headers["set-cookie"]',
          '*.password',
          '*.client_secret',
          '*.secret',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}

export type { Logger };
