// The admin areas for applications and providers. Their pages share the configuration, the two
// services every action goes through, the policies the forms offer, and the one-time notes that
// carry a new secret to the page after the redirect.
import type { SesameConfig } from '../../config/load.ts';
import type { OneTimeNotes } from '../../http/once.ts';
import { applicationService, type ApplicationService } from '../../services/applications.ts';
import { ProviderService } from '../../services/providers.ts';
import { registerApplicationDelete } from './applications/delete.ts';
import { registerApplicationDetail } from './applications/detail.ts';
import { registerApplicationEdit } from './applications/edit.ts';
import { registerApplicationList } from './applications/list.ts';
import { registerNewApplication } from './applications/new.ts';
import { areaOf, type AdminKit } from './kit.ts';
import { registerProviderDetail } from './providers/detail.ts';
import { registerProviderEdit } from './providers/edit.ts';
import { policyChoices } from '../../config/client-model.ts';
import { registerProviderList } from './providers/list.ts';
import { registerNewProvider } from './providers/new.ts';
import { registerProviderSecret } from './providers/secret.ts';

export interface AppsPages {
  config: SesameConfig;
  applications: ApplicationService;
  providers: ProviderService;
  /** The policies the forms offer, in order. */
  policies: string[];
  once: OneTimeNotes;
}

function appsPages({ config, store, once }: AdminKit): AppsPages {
  return {
    config,
    applications: applicationService(config, store),
    providers: new ProviderService(config, store),
    policies: policyChoices(Object.keys(config.identity_providers.oidc.authorization_policies)),
    once,
  };
}

export const registerAppsPages = areaOf(appsPages, [
  registerApplicationList,
  registerNewApplication,
  registerApplicationDetail,
  registerApplicationEdit,
  registerApplicationDelete,
  registerProviderList,
  registerNewProvider,
  registerProviderDetail,
  registerProviderEdit,
  registerProviderSecret,
]);
