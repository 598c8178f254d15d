// The providers pages of the admin UI, an area behind the admin guard (../index.ts).
import { appsArea } from '../apps-context.ts';
import { registerProviderDetail } from './detail.ts';
import { registerProviderEdit } from './edit.ts';
import { registerProviderList } from './list.ts';
import { registerNewProvider } from './new.ts';
import { registerProviderSecret } from './secret.ts';

export const registerProviderPages = appsArea([
  registerProviderList,
  registerNewProvider,
  registerProviderDetail,
  registerProviderEdit,
  registerProviderSecret,
]);
