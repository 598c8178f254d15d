// Structured logs (pino) that never carry a secret: credentials in headers are redacted and
// sensitive query parameters are masked before a URL is logged. Authelia's `log` settings choose
// where lines go (standard output, a file, both) and how they read (JSON, or text for people).
import pino, { type Logger } from 'pino';
import { logFilePath, textLines } from './log-format.ts';

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

/** Authelia's `log` section, as this module needs it. */
export interface LogSettings {
  level: string;
  format?: 'text' | 'json';
  file_path?: string;
  keep_stdout?: boolean;
}

/** Several destinations for one logger (a file and standard output). */
function tee(streams: pino.DestinationStream[]): pino.DestinationStream {
  if (streams.length === 1) return streams[0]!;
  return { write: (line: string) => streams.forEach((stream) => stream.write(line)) };
}

/** The log file (opened at once: a wrong path stops the start, with the reason). */
function openLogFile(path: string): ReturnType<typeof pino.destination> {
  try {
    return pino.destination({ dest: path, append: true, mode: 0o600, sync: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(`log.file_path: cannot open ${path} (${code}): its folder must exist and be writable`, {
      cause: error,
    });
  }
}

/**
 * The logger `log` describes. Redaction happens before a line is written, so the file and the
 * text format get the same masked lines as JSON on standard output. With a file, SIGHUP reopens
 * it (after a rotation), at the path its date placeholder gives for the new time.
 */
export function loggerFor(settings: LogSettings): Logger {
  const format = settings.format ?? (process.stdout.isTTY ? 'text' : 'json');
  const streams: pino.DestinationStream[] = [];
  const path = settings.file_path;
  if (path) {
    const file = openLogFile(logFilePath(path, new Date()));
    process.on('SIGHUP', () => file.reopen(logFilePath(path, new Date())));
    streams.push(file);
  }
  if (!path || settings.keep_stdout) streams.push(pino.destination({ dest: 1, sync: true }));
  const destination = tee(streams);
  return createLogger(settings.level, format === 'text' ? textLines(destination) : destination);
}

export type { Logger };
