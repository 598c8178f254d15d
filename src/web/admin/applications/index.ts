// The applications pages of the admin UI, an area behind the admin guard (../index.ts).
import { appsArea } from '../apps-context.ts';
import { registerApplicationDelete } from './delete.ts';
import { registerApplicationDetail } from './detail.ts';
import { registerApplicationEdit } from './edit.ts';
import { registerApplicationList } from './list.ts';
import { registerNewApplication } from './new.ts';

export const registerApplicationPages = appsArea([
  registerApplicationList,
  registerNewApplication,
  registerApplicationDetail,
  registerApplicationEdit,
  registerApplicationDelete,
]);
