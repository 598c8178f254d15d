// The Security page: what second factors the user has, and the notices the factor forms come back with.
import { queryOf } from '../../../http/forms.ts';
import { signedIn } from '../../../http/guards.ts';
import { doneNotice } from '../../views/forms.ts';
import { elevationSessionOf, type PortalPage } from '../kit.ts';
import { securityView } from './overview.view.ts';

const NOTICES: Record<string, string> = {
  'totp-added': 'Your authenticator app is set up.',
  'totp-removed': 'Your authenticator app was removed.',
  'passkey-added': 'Your passkey was added.',
  'passkey-renamed': 'Your passkey was renamed.',
  'passkey-removed': 'Your passkey was removed.',
  'passkey-failed': 'The passkey could not be added. Try again.',
  'passkey-prohibited-model': 'This kind of passkey or security key is not permitted here. Use another one.',
  'passkey-prohibited-backup':
    'Passkeys that are backed up or synced to other devices are not permitted here. Use a security key or a passkey kept on this device.',
};

export const registerSecurity: PortalPage = (scope, kit) => {
  scope.get('/portal/security', async (request, reply) => {
    const { user, csrf } = signedIn(request);
    const [overview, elevated] = await Promise.all([
      kit.account.security(user),
      kit.elevation.isElevated(elevationSessionOf(request)),
    ]);
    const done = doneNotice(NOTICES, queryOf(request).done);
    const frame = { section: 'security', title: 'Security', passkeys: overview.passkeysEnabled } as const;
    return kit.send(reply, user, frame, securityView({ user, csrf, overview, done, elevated }));
  });
};
