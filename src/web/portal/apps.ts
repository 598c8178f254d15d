// The portal's home: the applications the signed-in user may open.
import { appsView } from './apps.view.ts';
import { actorOf, type PortalPage } from './kit.ts';

export const registerApps: PortalPage = (scope, kit) => {
  scope.get('/portal', async (request, reply) => {
    const actor = actorOf(request);
    const tiles = await kit.account.launcher(actor);
    return kit.send(
      reply,
      actor.user,
      { section: '', title: 'My applications' },
      appsView(actor.user, tiles),
    );
  });
};
