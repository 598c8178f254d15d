// Authelia's `text` log format and its date placeholders in `log.file_path`.
//
// The text format is logfmt, the layout Authelia's (logrus) text lines have:
//   time="2026-01-02T15:04:05.000Z" level=info msg="Sesame is ready" url=http://127.0.0.1:9091
// one line per event, so grep, fail2ban-style filters and people read it alike. (pino-pretty
// prints another, multi-line layout and brings a dozen packages; this is a few lines.)
import type { DestinationStream } from 'pino';

const LEVELS: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};

/** Fields every line has, written first or not at all. */
const LEADING = new Set(['time', 'level', 'msg', 'service']);

function logfmtValue(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return /^[^\s"=\\]+$/.test(text) ? text : JSON.stringify(text);
}

/** An error as people read it: the message, and the stack from `error` up. */
function errorFields(level: number, error: unknown): [string, unknown][] {
  const { message, stack } = (error ?? {}) as { message?: unknown; stack?: unknown };
  const fields: [string, unknown][] = [['error', message ?? error]];
  if (level >= 50 && typeof stack === 'string') fields.push(['stack', stack]);
  return fields;
}

/** One JSON log line as a logfmt line. */
export function toText(json: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const level = typeof entry.level === 'number' ? entry.level : 30;
  const fields: [string, unknown][] = [
    ['time', entry.time],
    ['level', LEVELS[level] ?? level],
    ['msg', entry.msg ?? ''],
  ];
  for (const [key, value] of Object.entries(entry)) {
    if (LEADING.has(key) || value === undefined) continue;
    if (key === 'err') fields.push(...errorFields(level, value));
    else fields.push([key, value]);
  }
  return `${fields.map(([key, value]) => `${key}=${logfmtValue(value)}`).join(' ')}\n`;
}

/** A destination that receives pino's JSON lines and passes them on as text. */
export function textLines(target: DestinationStream): DestinationStream {
  return { write: (line: string) => target.write(toText(line)) };
}

const pad = (value: number, width = 2) => String(value).padStart(width, '0');
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

function offset(date: Date, separator: string, zulu: boolean): string {
  const minutes = -date.getTimezoneOffset();
  if (minutes === 0 && zulu) return 'Z';
  const sign = minutes < 0 ? '-' : '+';
  const absolute = Math.abs(minutes);
  return `${sign}${pad(Math.floor(absolute / 60))}${separator}${pad(absolute % 60)}`;
}

/** Go's reference-time layout elements (Mon Jan 2 15:04:05 MST 2006), in local time. */
const GO_ELEMENTS: Record<string, (date: Date) => string> = {
  '2006': (date) => String(date.getFullYear()),
  January: (date) => MONTHS[date.getMonth()]!,
  Monday: (date) => DAYS[date.getDay()]!,
  'Z07:00': (date) => offset(date, ':', true),
  '-07:00': (date) => offset(date, ':', false),
  Z0700: (date) => offset(date, '', true),
  '-0700': (date) => offset(date, '', false),
  '.000000000': (date) => `.${pad(date.getMilliseconds(), 3)}000000`,
  '.000000': (date) => `.${pad(date.getMilliseconds(), 3)}000`,
  '.000': (date) => `.${pad(date.getMilliseconds(), 3)}`,
  Jan: (date) => MONTHS[date.getMonth()]!.slice(0, 3),
  Mon: (date) => DAYS[date.getDay()]!.slice(0, 3),
  MST: (date) =>
    new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' })
      .formatToParts(date)
      .find((part) => part.type === 'timeZoneName')?.value ?? offset(date, '', false),
  PM: (date) => (date.getHours() < 12 ? 'AM' : 'PM'),
  pm: (date) => (date.getHours() < 12 ? 'am' : 'pm'),
  _2: (date) => String(date.getDate()).padStart(2, ' '),
  '01': (date) => pad(date.getMonth() + 1),
  '02': (date) => pad(date.getDate()),
  '03': (date) => pad(date.getHours() % 12 || 12),
  '04': (date) => pad(date.getMinutes()),
  '05': (date) => pad(date.getSeconds()),
  '06': (date) => pad(date.getFullYear() % 100),
  '15': (date) => pad(date.getHours()),
  '1': (date) => String(date.getMonth() + 1),
  '2': (date) => String(date.getDate()),
  '3': (date) => String(date.getHours() % 12 || 12),
  '4': (date) => String(date.getMinutes()),
  '5': (date) => String(date.getSeconds()),
};

// (Longest first, so that 2006 is one element and not 2, 0, 0, 6.)
const GO_ELEMENT = new RegExp(
  Object.keys(GO_ELEMENTS)
    .sort((a, b) => b.length - a.length)
    .map((element) => element.replace('.', '\\.'))
    .join('|'),
  'g',
);

const RFC3339 = '2006-01-02T15:04:05Z07:00';

export function formatGoLayout(layout: string, date: Date): string {
  return layout.replace(GO_ELEMENT, (element) => GO_ELEMENTS[element]!(date));
}

/**
 * Authelia's date placeholders in log.file_path: the first `%d` or `{datetime}` becomes `date` in
 * RFC 3339, `{datetime:<layout>}` in that Go layout.
 */
export function logFilePath(path: string, date: Date): string {
  return path.replace(/%d|\{datetime(?::([^}]+))?\}/, (_match, layout: string | undefined) =>
    formatGoLayout(layout ?? RFC3339, date),
  );
}
