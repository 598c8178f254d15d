// `registration`: open sign-up, off unless switched on. A visitor gives an e-mail address, follows
// the link mailed to it and chooses a username and password; the address is then verified. It needs
// a notifier (the configuration is refused without one).
import { z } from 'zod';
import { durationWithDefault } from './schema-kit.ts';

const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

export const registrationSchema = z
  .strictObject({
    enabled: z
      .boolean()
      .default(false)
      .describe('Offer "Create an account" on the sign-in page. Needs a notifier.'),
    allowed_email_domains: z
      .array(z.string().regex(DOMAIN, 'is not a domain name such as example.com'))
      .default([])
      .describe(
        'Only addresses at these domains may sign up (exact domains, case ignored). Empty: any domain.',
      ),
    groups: z
      .array(z.string().min(1).max(100))
      .default([])
      .describe('The groups every account made by sign-up joins.'),
    link_lifespan: durationWithDefault('1h').describe('How long the mailed sign-up link works.'),
    resend_interval: durationWithDefault('5m').describe(
      'At most one sign-up mail per address in this interval; further requests get the same answer and no mail.',
    ),
    max_mails_per_ip: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .default(10)
      .describe('At most this many sign-up mails an hour for requests from one client IP address.'),
  })
  .prefault({})
  .describe(
    'Open registration (sign-up by e-mail). Off by default; see docs/invitations.md for invitations, which need no configuration.',
  );

export type RegistrationSettings = z.output<typeof registrationSchema>;

/** Sign-up mails a link: refused without a notifier, naming the key. */
export function checkRegistrationNotifier(
  value: { registration: RegistrationSettings; notifier?: unknown },
  ctx: z.RefinementCtx,
): void {
  if (value.registration?.enabled && !value.notifier)
    ctx.addIssue({
      code: 'custom',
      path: ['registration', 'enabled'],
      message: 'registration.enabled needs a notifier to mail sign-up links',
      params: { allowed: 'notifier.smtp or notifier.filesystem, or registration.enabled: false' },
    });
}
