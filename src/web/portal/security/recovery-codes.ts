// New recovery codes: made by the POST, shown once by the page its redirect opens (a one-time note),
// so a reload or the back button does not show them again.
import { signedIn } from '../../../http/guards.ts';
import { actorOf, type PortalPage } from '../kit.ts';
import { recoveryCodesView } from './recovery-codes.view.ts';

const NOTE = 'recovery-codes';

export const registerRecoveryCodes: PortalPage = (scope, kit) => {
  // New codes replace the old ones: an elevated session only.
  scope.post(
    '/portal/security/recovery-codes',
    { config: { elevation: '/portal/security' } },
    async (request, reply) => {
      const codes = await kit.account.newRecoveryCodes(actorOf(request));
      kit.once.put(request, reply, signedIn(request), NOTE, { codes });
      return reply.redirect('/portal/security/recovery-codes', 303);
    },
  );

  scope.get('/portal/security/recovery-codes', async (request, reply) => {
    const current = signedIn(request);
    const codes = kit.once.take(request, reply, current, NOTE)?.codes;
    if (!Array.isArray(codes)) return reply.redirect('/portal/security', 303);
    const frame = { section: 'security', title: 'Recovery codes' } as const;
    return kit.send(reply, current.user, frame, recoveryCodesView(codes));
  });
};
