// The notifier at start and from the command line: its check, and a test mail.
import type { SesameConfig } from '../config/load.ts';
import { isMailbox } from '../config/notifier-schema.ts';
import { ConfigError } from '../config/report.ts';
import { InvalidInputError } from '../lib/errors.ts';
import { Mailer, templateFolderProblem } from '../notify/mailer.ts';

/** The configured notifier, or undefined; template_path is checked first (a ConfigError). */
export function mailerOf(config: SesameConfig): Mailer | undefined {
  const settings = config.notifier;
  if (!settings) return undefined;
  const problem = settings.template_path ? templateFolderProblem(settings.template_path) : undefined;
  if (problem)
    throw new ConfigError([
      {
        where: config.configFile,
        path: 'notifier.template_path',
        message: `${settings.template_path} ${problem}`,
        allowed: 'a folder of mail templates',
      },
    ]);
  return new Mailer(settings, config);
}

/** Start-up: Sesame does not start with a notifier that cannot deliver (unless told not to check). */
export async function checkNotifier(config: SesameConfig): Promise<void> {
  const mailer = mailerOf(config);
  if (!mailer) return;
  try {
    if (!config.notifier!.disable_startup_check) await mailer.check(config.configFile);
  } finally {
    mailer.close();
  }
}

/** `sesame notifier test`: one mail through the configured notifier, not checked first. */
export async function sendTestMail(config: SesameConfig, to: string): Promise<void> {
  const mailer = mailerOf(config);
  if (!mailer)
    throw new InvalidInputError('no notifier is configured (notifier.smtp or notifier.filesystem)');
  if (!isMailbox(to)) throw new InvalidInputError(`'${to}' is not an e-mail address`, 'to');
  try {
    await mailer.send({ to, title: 'Test', template: 'test' });
  } finally {
    mailer.close();
  }
}
