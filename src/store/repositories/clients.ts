import { randomUUID } from 'node:crypto';
import { fromJson, optional, toBoolean, toDate, type SqlExecutor, type SqlValue } from '../sql.ts';
import type { NewOAuthClient, OAuthClient, OAuthClientPatch, Page } from '../types.ts';

interface ClientRow {
  id: string;
  client_id: string;
  name: string;
  secret_digest: string | null;
  public: number | boolean;
  redirect_uris: string;
  post_logout_redirect_uris: string;
  scopes: string;
  grant_types: string;
  response_types: string;
  consent_mode: string;
  pre_configured_consent_duration: number | null;
  authorization_policy: string;
  allowed_groups: string;
  token_endpoint_auth_method: string;
  id_token_signed_response_alg: string;
  userinfo_signed_response_alg: string;
  access_token_signed_response_alg: string;
  require_pkce: number | boolean;
  subject_mode: string;
  lifespans: string;
  settings: string;
  created_at: number | Date;
  updated_at: number | Date;
}

/** Field → column, and whether the value is stored as JSON. */
const FIELDS: Record<keyof OAuthClientPatch, [string, boolean]> = {
  name: ['name', false],
  secretDigest: ['secret_digest', false],
  public: ['public', false],
  redirectUris: ['redirect_uris', true],
  postLogoutRedirectUris: ['post_logout_redirect_uris', true],
  scopes: ['scopes', true],
  grantTypes: ['grant_types', true],
  responseTypes: ['response_types', true],
  consentMode: ['consent_mode', false],
  preConfiguredConsentDuration: ['pre_configured_consent_duration', false],
  authorizationPolicy: ['authorization_policy', false],
  allowedGroups: ['allowed_groups', true],
  tokenEndpointAuthMethod: ['token_endpoint_auth_method', false],
  idTokenSignedResponseAlg: ['id_token_signed_response_alg', false],
  userinfoSignedResponseAlg: ['userinfo_signed_response_alg', false],
  accessTokenSignedResponseAlg: ['access_token_signed_response_alg', false],
  requirePkce: ['require_pkce', false],
  subjectMode: ['subject_mode', false],
  lifespans: ['lifespans', true],
  settings: ['settings', true],
};

function toClient(row: ClientRow): OAuthClient {
  return {
    id: row.id,
    clientId: row.client_id,
    name: row.name,
    secretDigest: optional(row.secret_digest),
    public: toBoolean(row.public),
    redirectUris: fromJson(row.redirect_uris, []),
    postLogoutRedirectUris: fromJson(row.post_logout_redirect_uris, []),
    scopes: fromJson(row.scopes, []),
    grantTypes: fromJson(row.grant_types, []),
    responseTypes: fromJson(row.response_types, []),
    consentMode: row.consent_mode,
    preConfiguredConsentDuration: row.pre_configured_consent_duration ?? undefined,
    authorizationPolicy: row.authorization_policy,
    allowedGroups: fromJson(row.allowed_groups, []),
    tokenEndpointAuthMethod: row.token_endpoint_auth_method,
    idTokenSignedResponseAlg: row.id_token_signed_response_alg,
    userinfoSignedResponseAlg: row.userinfo_signed_response_alg,
    accessTokenSignedResponseAlg: row.access_token_signed_response_alg,
    requirePkce: toBoolean(row.require_pkce),
    subjectMode: row.subject_mode,
    lifespans: fromJson(row.lifespans, {}),
    settings: fromJson(row.settings, {}),
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
  };
}

function columnValue(value: unknown, json: boolean): SqlValue {
  return json ? JSON.stringify(value) : (value as SqlValue);
}

export class ClientRepository {
  private readonly db: SqlExecutor;
  private readonly changed: () => void;
  constructor(db: SqlExecutor, changed: () => void = () => {}) {
    this.db = db;
    this.changed = changed;
  }

  async create(client: NewOAuthClient): Promise<OAuthClient> {
    const id = randomUUID();
    const now = new Date();
    const entries = Object.entries(FIELDS) as [keyof OAuthClientPatch, [string, boolean]][];
    const columns = ['id', 'client_id', ...entries.map(([, [column]]) => column), 'created_at', 'updated_at'];
    const values = [
      id,
      client.clientId,
      ...entries.map(([key, [, json]]) => columnValue(client[key], json)),
      now,
      now,
    ];
    await this.db.run(
      `INSERT INTO oauth_clients (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
      values,
    );
    this.changed();
    return (await this.get(id))!;
  }

  async get(id: string): Promise<OAuthClient | undefined> {
    const row = await this.db.get<ClientRow>('SELECT * FROM oauth_clients WHERE id = ?', [id]);
    return row && toClient(row);
  }

  async findByClientId(clientId: string): Promise<OAuthClient | undefined> {
    const row = await this.db.get<ClientRow>('SELECT * FROM oauth_clients WHERE client_id = ?', [clientId]);
    return row && toClient(row);
  }

  async list(page: Page = {}): Promise<OAuthClient[]> {
    const rows = await this.db.all<ClientRow>(
      'SELECT * FROM oauth_clients ORDER BY lower(name) LIMIT ? OFFSET ?',
      [page.limit ?? 1000, page.offset ?? 0],
    );
    return rows.map(toClient);
  }

  async update(id: string, patch: OAuthClientPatch): Promise<OAuthClient | undefined> {
    const sets: string[] = [];
    const values: SqlValue[] = [];
    for (const [key, [column, json]] of Object.entries(FIELDS) as [
      keyof OAuthClientPatch,
      [string, boolean],
    ][]) {
      if (!(key in patch)) continue;
      sets.push(`${column} = ?`);
      values.push(columnValue(patch[key], json));
    }
    if (sets.length > 0)
      await this.db.run(`UPDATE oauth_clients SET ${sets.join(', ')}, updated_at = ? WHERE id = ?`, [
        ...values,
        new Date(),
        id,
      ]);
    this.changed();
    return this.get(id);
  }

  async delete(id: string): Promise<boolean> {
    const deleted = (await this.db.run('DELETE FROM oauth_clients WHERE id = ?', [id])).changes > 0;
    this.changed();
    return deleted;
  }
}
