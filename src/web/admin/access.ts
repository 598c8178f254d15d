// /admin/access: the forward-auth rules (read-only, from the configuration file) and the tester.
import type { FastifyInstance } from 'fastify';
import { queryOf } from '../../http/forms.ts';
import { signedIn } from '../../http/guards.ts';
import { AccessRuleService } from '../../services/access-rules.ts';
import { accessView, type AccessTestForm } from './access.view.ts';
import { attempt, statusOf, type AdminKit } from './kit.ts';
import { adminPage } from './layout.view.ts';

export function registerAccessPage(scope: FastifyInstance, kit: AdminKit): void {
  const access = new AccessRuleService(kit.store, kit.config);

  scope.get('/admin/access', async (request, reply) => {
    const query = queryOf(request);
    const form: AccessTestForm = {
      user: query.user ?? '',
      url: query.url ?? '',
      method: query.method || 'GET',
      ip: query.ip ?? request.ip,
    };
    const tested =
      query.url === undefined
        ? undefined
        : await attempt(
            () => access.check({ username: form.user, url: form.url, method: form.method, ip: form.ip }),
            ['user', 'url', 'method', 'ip'],
          );
    const errors = tested && !tested.ok ? tested.errors : {};
    const result = tested?.ok ? tested.value : undefined;
    const body = accessView({ rules: access.list(), form, errors, result });
    return reply.html(
      adminPage(kit.config, 'access', 'Access rules', body, signedIn(request)),
      statusOf(errors),
    );
  });
}
