// What the applications and providers pages share: the configuration, the two services every
// action goes through, the policies the forms offer, and the one-time notes that carry a new secret
// to the page after the redirect.
import type { FastifyInstance } from 'fastify';
import type { SesameConfig } from '../../config/load.ts';
import type { OneTimeNotes } from '../../http/once.ts';
import { applicationService, type ApplicationService } from '../../services/applications.ts';
import { ProviderService } from '../../services/providers.ts';
import type { AdminArea, AdminKit } from './index.ts';
import { policyChoices } from './providers/labels.ts';

export interface AppsPages {
  config: SesameConfig;
  applications: ApplicationService;
  providers: ProviderService;
  /** The policies the forms offer, in order. */
  policies: string[];
  once: OneTimeNotes;
}

export function appsPages({ config, store, once }: AdminKit): AppsPages {
  return {
    config,
    applications: applicationService(config, store),
    providers: new ProviderService(config, store),
    policies: policyChoices(Object.keys(config.identity_providers.oidc.authorization_policies)),
    once,
  };
}

/** One page's routes (a handler module's register function). */
export type AppsPage = (app: FastifyInstance, pages: AppsPages) => void;

/** An admin area whose pages share the services made once from the kit. */
export function appsArea(pages: readonly AppsPage[]): AdminArea {
  return (scope, kit) => {
    const shared = appsPages(kit);
    for (const page of pages) page(scope, shared);
  };
}
