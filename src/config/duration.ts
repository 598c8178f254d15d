// Durations as Authelia writes them: a number of seconds, or a string such as "90m", "1h30m", "1w", "2 days".

const UNIT_SECONDS: Record<string, number> = {
  s: 1,
  sec: 1,
  second: 1,
  seconds: 1,
  m: 60,
  min: 60,
  minute: 60,
  minutes: 60,
  h: 3600,
  hour: 3600,
  hours: 3600,
  d: 86400,
  day: 86400,
  days: 86400,
  w: 604800,
  week: 604800,
  weeks: 604800,
  M: 2629800,
  month: 2629800,
  months: 2629800,
  y: 31557600,
  year: 31557600,
  years: 31557600,
};

export const DURATION_HELP = 'a number of seconds or a duration such as 90s, 5m, 1h30m, 7d, 1w, 1y';

/** Returns the duration in whole seconds, or undefined when the text is not a duration. */
export function parseDuration(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? value : undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+$/.test(text)) return Number(text);
  const part = /(\d+)\s*([a-zA-Z]+)\s*/gy;
  let total = 0;
  let consumed = 0;
  for (let match = part.exec(text); match; match = part.exec(text)) {
    const unit = UNIT_SECONDS[match[2]!] ?? UNIT_SECONDS[match[2]!.toLowerCase()];
    if (unit === undefined) return undefined;
    total += Number(match[1]) * unit;
    consumed = part.lastIndex;
  }
  return consumed === text.length ? total : undefined;
}

/** The shortest exact text for a number of seconds, for generated files and messages. */
export function formatDuration(seconds: number): string {
  for (const [unit, size] of [
    ['w', 604800],
    ['d', 86400],
    ['h', 3600],
    ['m', 60],
  ] as const) {
    if (seconds >= size && seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}
