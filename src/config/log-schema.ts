// Authelia's `log` section: level, format (text or JSON), an optional file and whether standard
// output keeps the lines too.
import { z } from 'zod';
import { oneOf } from './schema-kit.ts';

export const logSchema = z
  .strictObject({
    level: oneOf(['trace', 'debug', 'info', 'warn', 'error', 'silent']).default('info'),
    format: oneOf(['text', 'json'])
      .optional()
      .describe(
        '`text` (one `time=… level=… msg=…` line per event, for people) or `json` (one JSON object per line, for collectors). Unset: `text` when standard output is a terminal, else `json`.',
      ),
    file_path: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Write the log to this file (created with mode 0600, appended to; relative to the configuration file) instead of standard output. `%d` or `{datetime}` in the path becomes the start time (RFC 3339); `{datetime:<Go layout>}` formats it with a Go time layout. SIGHUP reopens the file (for log rotation).',
      ),
    keep_stdout: z
      .boolean()
      .default(false)
      .describe('With `file_path`: write the log to standard output as well.'),
  })
  .prefault({})
  .describe('What Sesame logs, in which format, and where.');

export type LogConfig = z.output<typeof logSchema>;
