/* eslint-disable */
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
export type Maybe<T> = T | null;
export type InputMaybe<T> = T | null | undefined;
export type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
export type MakeOptional<T, K extends keyof T> = Omit<T, K> & { [SubKey in K]?: Maybe<T[SubKey]> };
export type MakeMaybe<T, K extends keyof T> = Omit<T, K> & { [SubKey in K]: Maybe<T[SubKey]> };
export type MakeEmpty<T extends { [key: string]: unknown }, K extends keyof T> = { [_ in K]?: never };
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /** A scalar that can represent any JSON value. */
  JSON: { input: unknown; output: unknown; }
};

export type ApiToken = {
  __typename?: 'ApiToken';
  createdAt: Scalars['String']['output'];
  createdBy: Scalars['String']['output'];
  expiresAt?: Maybe<Scalars['String']['output']>;
  id: Scalars['String']['output'];
  name: Scalars['String']['output'];
  revokedAt?: Maybe<Scalars['String']['output']>;
  role: Role;
};

/** One event of the audit log, as it was recorded. */
export type AuditEvent = {
  __typename?: 'AuditEvent';
  actor: Scalars['String']['output'];
  eventId: Scalars['String']['output'];
  payload: Scalars['JSON']['output'];
  position: Scalars['Int']['output'];
  recordedAt: Scalars['String']['output'];
  stream: Scalars['String']['output'];
  type: Scalars['String']['output'];
  version: Scalars['Int']['output'];
};

export type AuditPage = {
  __typename?: 'AuditPage';
  events: Array<AuditEvent>;
  /** Pass as `after` for the next page; null when this page is the last. */
  nextAfter?: Maybe<Scalars['Int']['output']>;
};

export type Build = {
  __typename?: 'Build';
  durationMs?: Maybe<Scalars['Int']['output']>;
  error?: Maybe<Scalars['String']['output']>;
  logChunks: Scalars['Int']['output'];
};

/** The certificate serving a domain. */
export type Certificate = {
  __typename?: 'Certificate';
  /**
   * The last order's failure: its cause class (`dns`, `challenge`, `rate_limited`,
   * `ca_error`) and reason.
   */
  error?: Maybe<Scalars['String']['output']>;
  /** The issuing CA's name. */
  issuer?: Maybe<Scalars['String']['output']>;
  notAfter?: Maybe<Scalars['String']['output']>;
  /** ISO 8601, UTC. */
  notBefore?: Maybe<Scalars['String']['output']>;
  /** `pending` (ordered), `issued`, `renewing`, `failed`. */
  status: Scalars['String']['output'];
};

export type CreatedApiToken = {
  __typename?: 'CreatedApiToken';
  /** The secret: shown once, stored only as a hash. */
  secret: Scalars['String']['output'];
  token: ApiToken;
};

/** One metric's total on one UTC day. */
export type DailyUsage = {
  __typename?: 'DailyUsage';
  /** `YYYY-MM-DD`, UTC. */
  day: Scalars['String']['output'];
  metric: Scalars['String']['output'];
  quantity: Scalars['Int']['output'];
};

/** A file of a deployment: its path in the site and the blob already uploaded for it. */
export type DeployFileInput = {
  path: Scalars['String']['input'];
  sha256: Scalars['String']['input'];
  size: Scalars['Int']['input'];
};

export type DeployTarget =
  | 'PREVIEW'
  | 'PRODUCTION';

export type Deployment = {
  __typename?: 'Deployment';
  /** Requests served: answers by status class and the busiest paths. */
  analytics: RequestAnalytics;
  build: Build;
  commitSha?: Maybe<Scalars['String']['output']>;
  createdAt: Scalars['String']['output'];
  id: Scalars['String']['output'];
  /** The build's output lines, in order. */
  log: Array<Scalars['String']['output']>;
  /**
   * The build log's lines from chunk `chunk` on (0: all of it), and how many chunks there
   * are now: pass `chunks` as `chunk` next time to get only what was written since (a
   * client following a long build then receives each line once, not the whole log on each
   * change). BAD_USER_INPUT for a negative `chunk`.
   */
  logSince: LogPage;
  projectId: Scalars['String']['output'];
  /**
   * Whether every live edge has applied this deployment's latest event (its readiness,
   * promotion or rollback), so its URL, and its project's production host once it is
   * promoted, answer from it on every edge. Waits up to 5 s for that (false after them):
   * `clouddeck deploy --prod` asks it before printing `production:`, as the promote and
   * rollback mutations wait themselves.
   */
  servedByEdges: Scalars['Boolean']['output'];
  sourceKind: Scalars['String']['output'];
  sourceRef: Scalars['String']['output'];
  status: DeploymentStatus;
  target: DeploymentTarget;
  updatedAt: Scalars['String']['output'];
  url?: Maybe<Scalars['String']['output']>;
};


export type DeploymentLogSinceArgs = {
  chunk?: Scalars['Int']['input'];
};

export type DeploymentConnection = {
  __typename?: 'DeploymentConnection';
  /** A list of edges. */
  edges: Array<DeploymentEdge>;
  /** A list of nodes. */
  nodes: Array<Deployment>;
  /** Information to aid in pagination. */
  pageInfo: PageInfo;
};

/** An edge in a connection. */
export type DeploymentEdge = {
  __typename?: 'DeploymentEdge';
  /** A cursor for use in pagination */
  cursor: Scalars['String']['output'];
  /** The item at the end of the edge */
  node: Deployment;
};

/**
 * Where a deployment is in its life (the events' `DeploymentStatus`), in the same lowercase
 * words as the events and the read models: `requested → (queued → building → built) →
 * stored → ready`, or `failed` / `canceled`.
 */
export type DeploymentStatus =
  | 'building'
  | 'built'
  | 'canceled'
  | 'failed'
  | 'queued'
  | 'ready'
  | 'requested'
  | 'stored';

/**
 * Which alias a deployment is for (the events' `Target`), in the same lowercase words as the
 * events and as `Deployment.target` always answered: `production` moves the project's
 * production alias when ready, `preview` does not. (The input enum `DeployTarget` spells the
 * same values in capitals, as clients already send them.)
 */
export type DeploymentTarget =
  | 'preview'
  | 'production';

/** A DNS record to create, in the form DNS panels ask for. */
export type DnsRecord = {
  __typename?: 'DnsRecord';
  /** The record's full name. */
  name: Scalars['String']['output'];
  /** `TXT`, `CNAME`, `A` or `AAAA`. */
  recordType: Scalars['String']['output'];
  value: Scalars['String']['output'];
};

export type Domain = {
  __typename?: 'Domain';
  certificate?: Maybe<Certificate>;
  /** DNS checks made so far. */
  checks: Scalars['Int']['output'];
  createdAt: Scalars['String']['output'];
  /**
   * Every record to create: the TXT record, then where the name points (a CNAME for a
   * subdomain; A / AAAA for an apex, which cannot hold a CNAME).
   */
  dnsRecords: Array<DnsRecord>;
  /** Lowercase; internationalized names in punycode. */
  hostname: Scalars['String']['output'];
  /** Whether HSTS covers the names under this one too (`includeSubDomains`). */
  hstsIncludeSubdomains: Scalars['Boolean']['output'];
  /** `Strict-Transport-Security` max-age sent with its HTTPS answers, in seconds; 0: off. */
  hstsMaxAge: Scalars['Int']['output'];
  id: Scalars['String']['output'];
  /** Why the last check or order failed. */
  lastError?: Maybe<Scalars['String']['output']>;
  projectId: Scalars['String']['output'];
  /** The domain answers with a 308 redirect to this one of the project's domains. */
  redirectTo?: Maybe<Scalars['String']['output']>;
  status: DomainStatus;
  /** The TXT record that proves ownership. */
  verification: DnsRecord;
};

/** Where a domain stands. */
export type DomainStatus =
  /** Served over HTTPS with its own certificate. */
  | 'ACTIVE'
  /**
   * Not verified in time, verified by another organization first, or its certificate
   * could not be issued: `lastError` says which.
   */
  | 'FAILED'
  /**
   * Added; the TXT record was not found yet (checked each minute at first, then hourly,
   * for 7 days).
   */
  | 'PENDING_VERIFICATION'
  /** Ownership proved; the certificate is on its way. */
  | 'VERIFIED';

/** Enterprise's negotiated terms. */
export type EnterpriseTerms = {
  bandwidthGb: Scalars['Int']['input'];
  /** Omitted: unlimited. */
  buildsPerMonth?: InputMaybe<Scalars['Int']['input']>;
  overageCentsPerGb: Scalars['Int']['input'];
  priceCents: Scalars['Int']['input'];
};

export type EnvTarget =
  | 'ALL'
  | 'PREVIEW'
  | 'PRODUCTION';

/** An environment variable's name and scope; the value is never returned. */
export type EnvVar = {
  __typename?: 'EnvVar';
  key: Scalars['String']['output'];
  target: Scalars['String']['output'];
  updatedAt: Scalars['String']['output'];
  value: Scalars['String']['output'];
};

export type GitConnection = {
  __typename?: 'GitConnection';
  /** The webhook's secret: shown once, stored sealed. */
  secret: Scalars['String']['output'];
  /** Where GitHub sends push events (append it to this API's address). */
  webhookPath: Scalars['String']['output'];
};

export type Invitation = {
  __typename?: 'Invitation';
  /**
   * Accepts the invitation (`acceptInvitation(token:)`): only in `inviteMember`'s answer,
   * shown once; null everywhere else.
   */
  acceptToken?: Maybe<Scalars['String']['output']>;
  acceptedBy?: Maybe<Scalars['String']['output']>;
  email: Scalars['String']['output'];
  expiresAt: Scalars['String']['output'];
  id: Scalars['String']['output'];
  role: Role;
};

export type Invoice = {
  __typename?: 'Invoice';
  id: Scalars['String']['output'];
  lines: Array<InvoiceLine>;
  /** `YYYY-MM`, UTC. */
  period: Scalars['String']['output'];
  plan: Scalars['String']['output'];
  totalCents: Scalars['Int']['output'];
  updatedAt: Scalars['String']['output'];
};

export type InvoiceLine = {
  __typename?: 'InvoiceLine';
  amountCents: Scalars['Int']['output'];
  description: Scalars['String']['output'];
  /** `plan` or the usage metric the line is made of. */
  metric: Scalars['String']['output'];
  number: Scalars['Int']['output'];
  quantity: Scalars['Int']['output'];
  /**
   * The events this line is made of: the plan change in effect for the plan line, the
   * usage events of its metric for the others.
   */
  sources: Array<SourceEvent>;
  unit: Scalars['String']['output'];
  unitPriceCents: Scalars['Int']['output'];
};

/** Part of a build log: its lines from a chunk on, and the number of chunks written so far. */
export type LogPage = {
  __typename?: 'LogPage';
  chunks: Scalars['Int']['output'];
  lines: Array<Scalars['String']['output']>;
};

export type Member = {
  __typename?: 'Member';
  joinedAt: Scalars['String']['output'];
  role: Role;
  user: User;
};

/** Mutations, each area's in its own file. */
export type Mutation = {
  __typename?: 'Mutation';
  /**
   * Joins the organization the invitation is for: with the invitation's `token` (from its
   * link), or as the verified owner of the address it was sent to.
   */
  acceptInvitation: Organization;
  /**
   * Adds `hostname` to a project: it answers PENDING_VERIFICATION with the DNS records to
   * create. Uppercase and a trailing dot are normalized; internationalized names are kept
   * in punycode. BAD_USER_INPUT names the rule a hostname breaks; CONFLICT when another
   * organization has verified it; QUOTA_EXCEEDED past 100 domains in the organization.
   */
  addDomain: Domain;
  changeMemberRole: Organization;
  /** Changes the organization's plan (owner only). Enterprise takes its negotiated terms. */
  changePlan: PlanStatus;
  /** Follows a git repository: GitHub push events to the returned path deploy it. */
  connectGitRepository: GitConnection;
  /** The secret is in the answer once; only its hash is kept. */
  createApiToken: CreatedApiToken;
  createOrganization: Organization;
  createProject: Project;
  deleteProject: Scalars['Boolean']['output'];
  /**
   * Deploys a site, prebuilt or to be built, from blobs uploaded before (`POST /v1/blobs/missing`, then
   * `PUT /v1/blobs/{sha256}` for each missing one). With `production`, it is promoted once
   * ready. The files are listed in `files`, or, for large sites (a GraphQL request is at
   * most 256 KiB), in `fileList`: the SHA-256s of uploaded blobs, each holding part of the
   * list as JSON (`[{"path", "sha256", "size"}]`), concatenated in order (parts keep each
   * blob under the server's per-file limit; one hash is also accepted as a one-item list).
   * At most 100,000 files.
   */
  deployFiles: Deployment;
  /**
   * Invites `email`. The answer's `acceptToken` (shown once, and mailed to the address when
   * a mail server is configured) accepts it: pass it on to the invitee. Without it, only the
   * verified owner of the address can accept.
   */
  inviteMember: Invitation;
  /**
   * Signs in with email and password. An unknown email, a wrong password and (with a mail
   * server) an address not yet verified all get the same answer, in the same time: the
   * password is checked against a hash either way.
   */
  login: Session;
  /**
   * Signs the calling session out: its token stops working once this answers. True when a
   * session ended; false when the request came with an API token (revoke it instead).
   */
  logout: Scalars['Boolean']['output'];
  /** Makes a ready deployment production: the alias moves at once. */
  promoteDeployment: Deployment;
  /**
   * Creates an account. Without a mail server (see mail.rs) it is signed in at once and the
   * answer carries its session. With one, the answer is the same whether or not the address
   * is taken (`verificationSent`, no session): a link goes to the address (a new account's
   * verification, or a note that it has one), and `verifyEmail` with that link's token
   * signs in.
   */
  registerUser: Registration;
  /** Removes the domain: it stops serving at once, and its hostname is free again. */
  removeDomain: Scalars['Boolean']['output'];
  removeEnvVar: Scalars['Boolean']['output'];
  removeMember: Scalars['Boolean']['output'];
  /** Asks for a deployment of an upload or a git ref; the deploy pipeline picks it up. */
  requestDeployment: Deployment;
  revokeApiToken: ApiToken;
  /** Points production back at an earlier ready deployment. */
  rollbackDeployment: Deployment;
  /**
   * Sets HTTP Strict Transport Security for the domain's HTTPS answers (RFC 6797): browsers
   * then use HTTPS only for `maxAgeSeconds` (at most two years; 0 turns it off). Off by
   * default: a domain whose certificate lapses would lock its visitors out. Admins only.
   */
  setDomainHsts: Domain;
  /** The value is sealed (AES-256-GCM) before it enters the log; no query returns it. */
  setEnvVar: EnvVar;
  updateProjectSettings: Project;
  /**
   * Checks the domain's TXT record now and answers with the outcome (waiting up to 15
   * seconds for the check).
   */
  verifyDomain: Domain;
  /**
   * Proves the account controls its address with the token of the link sent there, and
   * signs in.
   */
  verifyEmail: Session;
};


/** Mutations, each area's in its own file. */
export type MutationAcceptInvitationArgs = {
  invitationId: Scalars['String']['input'];
  token?: InputMaybe<Scalars['String']['input']>;
};


/** Mutations, each area's in its own file. */
export type MutationAddDomainArgs = {
  hostname: Scalars['String']['input'];
  organization: Scalars['String']['input'];
  project: Scalars['String']['input'];
  redirectTo?: InputMaybe<Scalars['String']['input']>;
};


/** Mutations, each area's in its own file. */
export type MutationChangeMemberRoleArgs = {
  organization: Scalars['String']['input'];
  role: Role;
  userId: Scalars['String']['input'];
};


/** Mutations, each area's in its own file. */
export type MutationChangePlanArgs = {
  organization: Scalars['String']['input'];
  plan: PlanName;
  terms?: InputMaybe<EnterpriseTerms>;
};


/** Mutations, each area's in its own file. */
export type MutationConnectGitRepositoryArgs = {
  organization: Scalars['String']['input'];
  project: Scalars['String']['input'];
  repositoryUrl: Scalars['String']['input'];
};


/** Mutations, each area's in its own file. */
export type MutationCreateApiTokenArgs = {
  expiresInDays?: InputMaybe<Scalars['Int']['input']>;
  name: Scalars['String']['input'];
  organization: Scalars['String']['input'];
  role: Role;
};


/** Mutations, each area's in its own file. */
export type MutationCreateOrganizationArgs = {
  name: Scalars['String']['input'];
  slug: Scalars['String']['input'];
};


/** Mutations, each area's in its own file. */
export type MutationCreateProjectArgs = {
  framework?: InputMaybe<Scalars['String']['input']>;
  name: Scalars['String']['input'];
  organization: Scalars['String']['input'];
  productionBranch?: InputMaybe<Scalars['String']['input']>;
  slug: Scalars['String']['input'];
};


/** Mutations, each area's in its own file. */
export type MutationDeleteProjectArgs = {
  organization: Scalars['String']['input'];
  project: Scalars['String']['input'];
};


/** Mutations, each area's in its own file. */
export type MutationDeployFilesArgs = {
  fileList?: InputMaybe<Array<Scalars['String']['input']>>;
  files?: InputMaybe<Array<DeployFileInput>>;
  organization: Scalars['String']['input'];
  prebuilt?: Scalars['Boolean']['input'];
  production?: InputMaybe<Scalars['Boolean']['input']>;
  project: Scalars['String']['input'];
};


/** Mutations, each area's in its own file. */
export type MutationInviteMemberArgs = {
  email: Scalars['String']['input'];
  organization: Scalars['String']['input'];
  role: Role;
};


/** Mutations, each area's in its own file. */
export type MutationLoginArgs = {
  email: Scalars['String']['input'];
  password: Scalars['String']['input'];
};


/** Mutations, each area's in its own file. */
export type MutationPromoteDeploymentArgs = {
  id: Scalars['String']['input'];
};


/** Mutations, each area's in its own file. */
export type MutationRegisterUserArgs = {
  email: Scalars['String']['input'];
  name: Scalars['String']['input'];
  password: Scalars['String']['input'];
};


/** Mutations, each area's in its own file. */
export type MutationRemoveDomainArgs = {
  id: Scalars['String']['input'];
};


/** Mutations, each area's in its own file. */
export type MutationRemoveEnvVarArgs = {
  key: Scalars['String']['input'];
  organization: Scalars['String']['input'];
  project: Scalars['String']['input'];
  target: EnvTarget;
};


/** Mutations, each area's in its own file. */
export type MutationRemoveMemberArgs = {
  organization: Scalars['String']['input'];
  userId: Scalars['String']['input'];
};


/** Mutations, each area's in its own file. */
export type MutationRequestDeploymentArgs = {
  commitSha?: InputMaybe<Scalars['String']['input']>;
  organization: Scalars['String']['input'];
  prebuilt?: InputMaybe<Scalars['Boolean']['input']>;
  project: Scalars['String']['input'];
  sourceKind: Scalars['String']['input'];
  sourceRef: Scalars['String']['input'];
  target: DeployTarget;
};


/** Mutations, each area's in its own file. */
export type MutationRevokeApiTokenArgs = {
  organization: Scalars['String']['input'];
  tokenId: Scalars['String']['input'];
};


/** Mutations, each area's in its own file. */
export type MutationRollbackDeploymentArgs = {
  id: Scalars['String']['input'];
};


/** Mutations, each area's in its own file. */
export type MutationSetDomainHstsArgs = {
  id: Scalars['String']['input'];
  includeSubdomains?: Scalars['Boolean']['input'];
  maxAgeSeconds: Scalars['Int']['input'];
};


/** Mutations, each area's in its own file. */
export type MutationSetEnvVarArgs = {
  key: Scalars['String']['input'];
  organization: Scalars['String']['input'];
  project: Scalars['String']['input'];
  target: EnvTarget;
  value: Scalars['String']['input'];
};


/** Mutations, each area's in its own file. */
export type MutationUpdateProjectSettingsArgs = {
  organization: Scalars['String']['input'];
  project: Scalars['String']['input'];
  settings: ProjectSettingsInput;
};


/** Mutations, each area's in its own file. */
export type MutationVerifyDomainArgs = {
  id: Scalars['String']['input'];
};


/** Mutations, each area's in its own file. */
export type MutationVerifyEmailArgs = {
  token: Scalars['String']['input'];
};

export type Organization = {
  __typename?: 'Organization';
  /**
   * Metadata only: a token's secret is shown once, when it is created. Admins and owners
   * only (those who can issue and revoke them): FORBIDDEN for others.
   */
  apiTokens: Array<ApiToken>;
  createdAt: Scalars['String']['output'];
  /**
   * Usage in a month (`YYYY-MM`, UTC; default: this month) by UTC day and metric, from the
   * read models' usage events (a window counts on the day it started).
   */
  dailyUsage: Array<DailyUsage>;
  id: Scalars['String']['output'];
  /**
   * Open and accepted invitations (the invitees' addresses): admins and owners only, as
   * they are who invite; FORBIDDEN for others.
   */
  invitations: Array<Invitation>;
  /** Invoices, newest month first. */
  invoices: Array<Invoice>;
  members: Array<Member>;
  name: Scalars['String']['output'];
  projects: Array<Project>;
  slug: Scalars['String']['output'];
  /** The plan: what it includes and costs. */
  subscription: PlanStatus;
  /** Usage in a month (`YYYY-MM`, UTC; default: this month), by metric and project. */
  usage: Array<UsageFigure>;
  /**
   * The caller's role here: a member's own, or an API token's (which acts with at most its
   * creator's). Clients show only the actions it allows; the server checks each anyway.
   */
  viewerRole: Role;
};


export type OrganizationDailyUsageArgs = {
  period?: InputMaybe<Scalars['String']['input']>;
};


export type OrganizationUsageArgs = {
  period?: InputMaybe<Scalars['String']['input']>;
};

/** Information about pagination in a connection */
export type PageInfo = {
  __typename?: 'PageInfo';
  /** When paginating forwards, the cursor to continue. */
  endCursor?: Maybe<Scalars['String']['output']>;
  /** When paginating forwards, are there more items? */
  hasNextPage: Scalars['Boolean']['output'];
  /** When paginating backwards, are there more items? */
  hasPreviousPage: Scalars['Boolean']['output'];
  /** When paginating backwards, the cursor to continue. */
  startCursor?: Maybe<Scalars['String']['output']>;
};

export type PathTotal = {
  __typename?: 'PathTotal';
  bytes: Scalars['Int']['output'];
  path: Scalars['String']['output'];
  requests: Scalars['Int']['output'];
};

export type PlanName =
  | 'BUSINESS'
  | 'ENTERPRISE'
  | 'FREE'
  | 'PRO';

/** What the organization's plan includes and costs. */
export type PlanStatus = {
  __typename?: 'PlanStatus';
  /** Whether the organization's sites are blocked for the rest of this month. */
  bandwidthBlocked: Scalars['Boolean']['output'];
  bandwidthBytes: Scalars['Int']['output'];
  /** Null: unlimited. */
  buildsPerMonth?: Maybe<Scalars['Int']['output']>;
  /** Null: bandwidth past the plan is blocked, not billed. */
  overageCentsPerGb?: Maybe<Scalars['Int']['output']>;
  plan: Scalars['String']['output'];
  priceCents: Scalars['Int']['output'];
  /** Bytes the organization may keep uploaded; null: unlimited. */
  storageBytes?: Maybe<Scalars['Int']['output']>;
};

export type Project = {
  __typename?: 'Project';
  createdAt: Scalars['String']['output'];
  /** Newest first, Relay-style: `first` (at most 100) after an opaque `after` cursor. */
  deployments: DeploymentConnection;
  /** Custom domains, by hostname. */
  domains: Array<Domain>;
  envVars: Array<EnvVar>;
  id: Scalars['String']['output'];
  name: Scalars['String']['output'];
  productionDeployment?: Maybe<Deployment>;
  settings: ProjectSettings;
  slug: Scalars['String']['output'];
};


export type ProjectDeploymentsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};

export type ProjectSettings = {
  __typename?: 'ProjectSettings';
  buildCommand?: Maybe<Scalars['String']['output']>;
  framework?: Maybe<Scalars['String']['output']>;
  installCommand?: Maybe<Scalars['String']['output']>;
  outputDirectory?: Maybe<Scalars['String']['output']>;
  productionBranch: Scalars['String']['output'];
  rootDirectory?: Maybe<Scalars['String']['output']>;
};

export type ProjectSettingsInput = {
  buildCommand?: InputMaybe<Scalars['String']['input']>;
  framework?: InputMaybe<Scalars['String']['input']>;
  installCommand?: InputMaybe<Scalars['String']['input']>;
  name?: InputMaybe<Scalars['String']['input']>;
  outputDirectory?: InputMaybe<Scalars['String']['input']>;
  productionBranch?: InputMaybe<Scalars['String']['input']>;
  rootDirectory?: InputMaybe<Scalars['String']['input']>;
};

export type QueryRoot = {
  __typename?: 'QueryRoot';
  /**
   * The organization's events, oldest first, after a log position; filtered by event
   * types and by actor (`user:ID`, `token:ID`, `system:NAME`).
   */
  auditLog: AuditPage;
  /**
   * A deployment. With `waitWhile` (a status, as a long poll), the answer waits (up to 25
   * seconds) until the deployment's status is another one: a client follows a deploy with
   * a request per change instead of polling.
   */
  deployment: Deployment;
  /** One invoice, with its lines and each line's source events. */
  invoice: Invoice;
  organization: Organization;
  /** The organizations the caller belongs to. */
  organizations: Array<Organization>;
  project: Project;
  viewer: Viewer;
};


export type QueryRootAuditLogArgs = {
  actor?: InputMaybe<Scalars['String']['input']>;
  after?: InputMaybe<Scalars['Int']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  organization: Scalars['String']['input'];
  types?: InputMaybe<Array<Scalars['String']['input']>>;
};


export type QueryRootDeploymentArgs = {
  id: Scalars['String']['input'];
  waitWhile?: InputMaybe<Scalars['String']['input']>;
};


export type QueryRootInvoiceArgs = {
  id: Scalars['String']['input'];
};


export type QueryRootOrganizationArgs = {
  slug: Scalars['String']['input'];
};


export type QueryRootProjectArgs = {
  organization: Scalars['String']['input'];
  slug: Scalars['String']['input'];
};

/**
 * What registering answers: with a mail server, only that a link was sent (whatever the
 * address); without one, the new account's session.
 */
export type Registration = {
  __typename?: 'Registration';
  /** The bearer token of the new session (shown once); null until the address is verified. */
  token?: Maybe<Scalars['String']['output']>;
  user?: Maybe<User>;
  /** A link went to the address: follow it (`verifyEmail`) to sign in. */
  verificationSent: Scalars['Boolean']['output'];
};

export type RequestAnalytics = {
  __typename?: 'RequestAnalytics';
  status2xx: Scalars['Int']['output'];
  status3xx: Scalars['Int']['output'];
  status4xx: Scalars['Int']['output'];
  status5xx: Scalars['Int']['output'];
  topPaths: Array<PathTotal>;
};

export type Role =
  | 'ADMIN'
  | 'DEVELOPER'
  | 'OWNER'
  | 'VIEWER';

export type Session = {
  __typename?: 'Session';
  /** The bearer token for this session: shown once. */
  token: Scalars['String']['output'];
  user: User;
};

/** An event a line is made of, with where it sits in the log. */
export type SourceEvent = {
  __typename?: 'SourceEvent';
  eventId: Scalars['String']['output'];
  position: Scalars['Int']['output'];
  projectId?: Maybe<Scalars['String']['output']>;
  quantity: Scalars['Int']['output'];
};

export type SubscriptionRoot = {
  __typename?: 'SubscriptionRoot';
  /** The deployment now, then again each time it changes. */
  deployment: Deployment;
  /** The organization's events after `fromPosition` (default: only new ones), then live. */
  events: AuditEvent;
};


export type SubscriptionRootDeploymentArgs = {
  id: Scalars['String']['input'];
};


export type SubscriptionRootEventsArgs = {
  fromPosition?: InputMaybe<Scalars['Int']['input']>;
  organization: Scalars['String']['input'];
  types?: InputMaybe<Array<Scalars['String']['input']>>;
};

/** One metric's total in a period, for one project (null: the organization, as for seats). */
export type UsageFigure = {
  __typename?: 'UsageFigure';
  metric: Scalars['String']['output'];
  projectId?: Maybe<Scalars['String']['output']>;
  quantity: Scalars['Int']['output'];
};

export type User = {
  __typename?: 'User';
  email: Scalars['String']['output'];
  id: Scalars['String']['output'];
  name: Scalars['String']['output'];
  registeredAt: Scalars['String']['output'];
};

/** Who the caller is: a signed-in user, or an API token of one organization. */
export type Viewer = {
  __typename?: 'Viewer';
  actor: Scalars['String']['output'];
  organization?: Maybe<Organization>;
  user?: Maybe<User>;
};

export type ShellQueryVariables = Exact<{
  organization: Scalars['String']['input'];
}>;


export type ShellQuery = { __typename?: 'QueryRoot', viewer: { __typename?: 'Viewer', actor: string, user?: { __typename?: 'User', name: string, email: string } | null }, organizations: Array<{ __typename?: 'Organization', slug: string, name: string }>, organization: { __typename?: 'Organization', id: string, slug: string, name: string, viewerRole: Role } };

export type OrganizationEventsSubscriptionVariables = Exact<{
  organization: Scalars['String']['input'];
}>;


export type OrganizationEventsSubscription = { __typename?: 'SubscriptionRoot', events: { __typename?: 'AuditEvent', position: number, type: string } };

export type AuditLogQueryVariables = Exact<{
  organization: Scalars['String']['input'];
  after?: InputMaybe<Scalars['Int']['input']>;
  types?: InputMaybe<Array<Scalars['String']['input']> | Scalars['String']['input']>;
  actor?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
}>;


export type AuditLogQuery = { __typename?: 'QueryRoot', auditLog: { __typename?: 'AuditPage', nextAfter?: number | null, events: Array<{ __typename?: 'AuditEvent', position: number, eventId: string, stream: string, version: number, type: string, actor: string, recordedAt: string, payload: unknown }> } };

export type LiveDeploymentSubscriptionVariables = Exact<{
  id: Scalars['String']['input'];
}>;


export type LiveDeploymentSubscription = { __typename?: 'SubscriptionRoot', deployment: { __typename?: 'Deployment', id: string, status: DeploymentStatus, target: DeploymentTarget, sourceKind: string, sourceRef: string, commitSha?: string | null, url?: string | null, createdAt: string, updatedAt: string, build: { __typename?: 'Build', durationMs?: number | null, error?: string | null, logChunks: number }, analytics: { __typename?: 'RequestAnalytics', status2xx: number, status3xx: number, status4xx: number, status5xx: number } } };

export type DeploymentLogQueryVariables = Exact<{
  id: Scalars['String']['input'];
  chunk: Scalars['Int']['input'];
}>;


export type DeploymentLogQuery = { __typename?: 'QueryRoot', deployment: { __typename?: 'Deployment', id: string, logSince: { __typename?: 'LogPage', chunks: number, lines: Array<string> } } };

export type ProjectDomainsQueryVariables = Exact<{
  organization: Scalars['String']['input'];
  project: Scalars['String']['input'];
}>;


export type ProjectDomainsQuery = { __typename?: 'QueryRoot', project: { __typename?: 'Project', id: string, name: string, domains: Array<{ __typename?: 'Domain', id: string, hostname: string, redirectTo?: string | null, status: DomainStatus, lastError?: string | null, checks: number, hstsMaxAge: number, hstsIncludeSubdomains: boolean, createdAt: string, dnsRecords: Array<{ __typename?: 'DnsRecord', recordType: string, name: string, value: string }>, certificate?: { __typename?: 'Certificate', status: string, issuer?: string | null, notAfter?: string | null, error?: string | null } | null }> } };

export type AddDomainMutationVariables = Exact<{
  organization: Scalars['String']['input'];
  project: Scalars['String']['input'];
  hostname: Scalars['String']['input'];
  redirectTo?: InputMaybe<Scalars['String']['input']>;
}>;


export type AddDomainMutation = { __typename?: 'Mutation', addDomain: { __typename?: 'Domain', id: string, hostname: string } };

export type VerifyDomainMutationVariables = Exact<{
  id: Scalars['String']['input'];
}>;


export type VerifyDomainMutation = { __typename?: 'Mutation', verifyDomain: { __typename?: 'Domain', id: string, status: DomainStatus, lastError?: string | null, checks: number } };

export type SetDomainHstsMutationVariables = Exact<{
  id: Scalars['String']['input'];
  maxAgeSeconds: Scalars['Int']['input'];
  includeSubdomains: Scalars['Boolean']['input'];
}>;


export type SetDomainHstsMutation = { __typename?: 'Mutation', setDomainHsts: { __typename?: 'Domain', id: string, hstsMaxAge: number, hstsIncludeSubdomains: boolean } };

export type RemoveDomainMutationVariables = Exact<{
  id: Scalars['String']['input'];
}>;


export type RemoveDomainMutation = { __typename?: 'Mutation', removeDomain: boolean };

export type OrganizationsQueryVariables = Exact<{ [key: string]: never; }>;


export type OrganizationsQuery = { __typename?: 'QueryRoot', organizations: Array<{ __typename?: 'Organization', slug: string, name: string }> };

export type CreateOrganizationMutationVariables = Exact<{
  slug: Scalars['String']['input'];
  name: Scalars['String']['input'];
}>;


export type CreateOrganizationMutation = { __typename?: 'Mutation', createOrganization: { __typename?: 'Organization', slug: string } };

export type InvoiceQueryVariables = Exact<{
  id: Scalars['String']['input'];
}>;


export type InvoiceQuery = { __typename?: 'QueryRoot', invoice: { __typename?: 'Invoice', id: string, period: string, plan: string, totalCents: number, updatedAt: string, lines: Array<{ __typename?: 'InvoiceLine', number: number, description: string, metric: string, quantity: number, unit: string, unitPriceCents: number, amountCents: number, sources: Array<{ __typename?: 'SourceEvent', eventId: string, position: number, projectId?: string | null, quantity: number }> }> } };

export type VerifyEmailMutationVariables = Exact<{
  token: Scalars['String']['input'];
}>;


export type VerifyEmailMutation = { __typename?: 'Mutation', verifyEmail: { __typename?: 'Session', token: string } };

export type AcceptInvitationMutationVariables = Exact<{
  invitationId: Scalars['String']['input'];
  token?: InputMaybe<Scalars['String']['input']>;
}>;


export type AcceptInvitationMutation = { __typename?: 'Mutation', acceptInvitation: { __typename?: 'Organization', slug: string, name: string } };

export type ProjectQueryVariables = Exact<{
  organization: Scalars['String']['input'];
  project: Scalars['String']['input'];
  first: Scalars['Int']['input'];
}>;


export type ProjectQuery = { __typename?: 'QueryRoot', project: { __typename?: 'Project', id: string, slug: string, name: string, productionDeployment?: { __typename?: 'Deployment', id: string, url?: string | null } | null, deployments: { __typename?: 'DeploymentConnection', pageInfo: { __typename?: 'PageInfo', hasNextPage: boolean }, nodes: Array<{ __typename?: 'Deployment', id: string, status: DeploymentStatus, target: DeploymentTarget, sourceKind: string, sourceRef: string, commitSha?: string | null, url?: string | null, createdAt: string, build: { __typename?: 'Build', durationMs?: number | null, error?: string | null } }> } } };

export type PromoteMutationVariables = Exact<{
  id: Scalars['String']['input'];
}>;


export type PromoteMutation = { __typename?: 'Mutation', promoteDeployment: { __typename?: 'Deployment', id: string, status: DeploymentStatus } };

export type RollbackMutationVariables = Exact<{
  id: Scalars['String']['input'];
}>;


export type RollbackMutation = { __typename?: 'Mutation', rollbackDeployment: { __typename?: 'Deployment', id: string, status: DeploymentStatus } };

export type ProjectsQueryVariables = Exact<{
  organization: Scalars['String']['input'];
}>;


export type ProjectsQuery = { __typename?: 'QueryRoot', organization: { __typename?: 'Organization', projects: Array<{ __typename?: 'Project', id: string, slug: string, name: string, createdAt: string, settings: { __typename?: 'ProjectSettings', framework?: string | null }, productionDeployment?: { __typename?: 'Deployment', id: string, url?: string | null } | null, deployments: { __typename?: 'DeploymentConnection', nodes: Array<{ __typename?: 'Deployment', id: string, status: DeploymentStatus, createdAt: string }> } }> } };

export type CreateProjectMutationVariables = Exact<{
  organization: Scalars['String']['input'];
  slug: Scalars['String']['input'];
  name: Scalars['String']['input'];
  framework?: InputMaybe<Scalars['String']['input']>;
}>;


export type CreateProjectMutation = { __typename?: 'Mutation', createProject: { __typename?: 'Project', slug: string } };

export type ProjectSettingsPageQueryVariables = Exact<{
  organization: Scalars['String']['input'];
  project: Scalars['String']['input'];
}>;


export type ProjectSettingsPageQuery = { __typename?: 'QueryRoot', project: { __typename?: 'Project', id: string, slug: string, name: string, settings: { __typename?: 'ProjectSettings', framework?: string | null, installCommand?: string | null, buildCommand?: string | null, outputDirectory?: string | null, rootDirectory?: string | null, productionBranch: string }, envVars: Array<{ __typename?: 'EnvVar', key: string, target: string, updatedAt: string }> } };

export type UpdateProjectSettingsMutationVariables = Exact<{
  organization: Scalars['String']['input'];
  project: Scalars['String']['input'];
  settings: ProjectSettingsInput;
}>;


export type UpdateProjectSettingsMutation = { __typename?: 'Mutation', updateProjectSettings: { __typename?: 'Project', id: string, settings: { __typename?: 'ProjectSettings', framework?: string | null, installCommand?: string | null, buildCommand?: string | null, outputDirectory?: string | null, rootDirectory?: string | null, productionBranch: string } } };

export type SetEnvVarMutationVariables = Exact<{
  organization: Scalars['String']['input'];
  project: Scalars['String']['input'];
  key: Scalars['String']['input'];
  value: Scalars['String']['input'];
  target: EnvTarget;
}>;


export type SetEnvVarMutation = { __typename?: 'Mutation', setEnvVar: { __typename?: 'EnvVar', key: string, target: string } };

export type RemoveEnvVarMutationVariables = Exact<{
  organization: Scalars['String']['input'];
  project: Scalars['String']['input'];
  key: Scalars['String']['input'];
  target: EnvTarget;
}>;


export type RemoveEnvVarMutation = { __typename?: 'Mutation', removeEnvVar: boolean };

export type ConnectGitRepositoryMutationVariables = Exact<{
  organization: Scalars['String']['input'];
  project: Scalars['String']['input'];
  repositoryUrl: Scalars['String']['input'];
}>;


export type ConnectGitRepositoryMutation = { __typename?: 'Mutation', connectGitRepository: { __typename?: 'GitConnection', webhookPath: string, secret: string } };

export type DeleteProjectMutationVariables = Exact<{
  organization: Scalars['String']['input'];
  project: Scalars['String']['input'];
}>;


export type DeleteProjectMutation = { __typename?: 'Mutation', deleteProject: boolean };

export type LoginMutationVariables = Exact<{
  email: Scalars['String']['input'];
  password: Scalars['String']['input'];
}>;


export type LoginMutation = { __typename?: 'Mutation', login: { __typename?: 'Session', token: string } };

export type RegisterUserMutationVariables = Exact<{
  email: Scalars['String']['input'];
  name: Scalars['String']['input'];
  password: Scalars['String']['input'];
}>;


export type RegisterUserMutation = { __typename?: 'Mutation', registerUser: { __typename?: 'Registration', token?: string | null, verificationSent: boolean } };

export type WhoAmIQueryVariables = Exact<{ [key: string]: never; }>;


export type WhoAmIQuery = { __typename?: 'QueryRoot', viewer: { __typename?: 'Viewer', actor: string } };

export type TeamMembersQueryVariables = Exact<{
  organization: Scalars['String']['input'];
}>;


export type TeamMembersQuery = { __typename?: 'QueryRoot', viewer: { __typename?: 'Viewer', user?: { __typename?: 'User', id: string } | null }, organization: { __typename?: 'Organization', id: string, members: Array<{ __typename?: 'Member', role: Role, joinedAt: string, user: { __typename?: 'User', id: string, name: string, email: string } }> } };

export type TeamInvitationsQueryVariables = Exact<{
  organization: Scalars['String']['input'];
}>;


export type TeamInvitationsQuery = { __typename?: 'QueryRoot', organization: { __typename?: 'Organization', id: string, invitations: Array<{ __typename?: 'Invitation', id: string, email: string, role: Role, expiresAt: string, acceptedBy?: string | null }> } };

export type TeamApiTokensQueryVariables = Exact<{
  organization: Scalars['String']['input'];
}>;


export type TeamApiTokensQuery = { __typename?: 'QueryRoot', organization: { __typename?: 'Organization', id: string, apiTokens: Array<{ __typename?: 'ApiToken', id: string, name: string, role: Role, createdAt: string, expiresAt?: string | null, revokedAt?: string | null }> } };

export type ChangeMemberRoleMutationVariables = Exact<{
  organization: Scalars['String']['input'];
  userId: Scalars['String']['input'];
  role: Role;
}>;


export type ChangeMemberRoleMutation = { __typename?: 'Mutation', changeMemberRole: { __typename?: 'Organization', id: string } };

export type RemoveMemberMutationVariables = Exact<{
  organization: Scalars['String']['input'];
  userId: Scalars['String']['input'];
}>;


export type RemoveMemberMutation = { __typename?: 'Mutation', removeMember: boolean };

export type InviteMemberMutationVariables = Exact<{
  organization: Scalars['String']['input'];
  email: Scalars['String']['input'];
  role: Role;
}>;


export type InviteMemberMutation = { __typename?: 'Mutation', inviteMember: { __typename?: 'Invitation', id: string, email: string, acceptToken?: string | null, role: Role } };

export type CreateApiTokenMutationVariables = Exact<{
  organization: Scalars['String']['input'];
  name: Scalars['String']['input'];
  role: Role;
  expiresInDays?: InputMaybe<Scalars['Int']['input']>;
}>;


export type CreateApiTokenMutation = { __typename?: 'Mutation', createApiToken: { __typename?: 'CreatedApiToken', secret: string, token: { __typename?: 'ApiToken', id: string, name: string } } };

export type RevokeApiTokenMutationVariables = Exact<{
  organization: Scalars['String']['input'];
  tokenId: Scalars['String']['input'];
}>;


export type RevokeApiTokenMutation = { __typename?: 'Mutation', revokeApiToken: { __typename?: 'ApiToken', id: string, revokedAt?: string | null } };

export type UsageQueryVariables = Exact<{
  organization: Scalars['String']['input'];
  period?: InputMaybe<Scalars['String']['input']>;
}>;


export type UsageQuery = { __typename?: 'QueryRoot', organization: { __typename?: 'Organization', subscription: { __typename?: 'PlanStatus', plan: string, priceCents: number, buildsPerMonth?: number | null, bandwidthBytes: number, overageCentsPerGb?: number | null, bandwidthBlocked: boolean, storageBytes?: number | null }, usage: Array<{ __typename?: 'UsageFigure', metric: string, projectId?: string | null, quantity: number }>, dailyUsage: Array<{ __typename?: 'DailyUsage', day: string, metric: string, quantity: number }> } };

export type InvoicesQueryVariables = Exact<{
  organization: Scalars['String']['input'];
}>;


export type InvoicesQuery = { __typename?: 'QueryRoot', organization: { __typename?: 'Organization', invoices: Array<{ __typename?: 'Invoice', id: string, period: string, plan: string, totalCents: number, updatedAt: string }> } };

export type ChangePlanMutationVariables = Exact<{
  organization: Scalars['String']['input'];
  plan: PlanName;
}>;


export type ChangePlanMutation = { __typename?: 'Mutation', changePlan: { __typename?: 'PlanStatus', plan: string } };

export type LogoutMutationVariables = Exact<{ [key: string]: never; }>;


export type LogoutMutation = { __typename?: 'Mutation', logout: boolean };


export const ShellDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Shell"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"organization"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"viewer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"actor"}},{"kind":"Field","name":{"kind":"Name","value":"user"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"organizations"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"slug"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"organization"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"slug"},"value":{"kind":"Variable","name":{"kind":"Name","value":"organization"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"slug"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"viewerRole"}}]}}]}}]} as unknown as DocumentNode<ShellQuery, ShellQueryVariables>;
export const OrganizationEventsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"OrganizationEvents"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"organization"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"events"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"organization"},"value":{"kind":"Variable","name":{"kind":"Name","value":"organization"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"position"}},{"kind":"Field","name":{"kind":"Name","value":"type"}}]}}]}}]} as unknown as DocumentNode<OrganizationEventsSubscription, OrganizationEventsSubscriptionVariables>;
export const AuditLogDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"AuditLog"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"organization"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"types"}},"type":{"kind":"ListType","type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"actor"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"auditLog"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"organization"},"value":{"kind":"Variable","name":{"kind":"Name","value":"organization"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}},{"kind":"Argument","name":{"kind":"Name","value":"types"},"value":{"kind":"Variable","name":{"kind":"Name","value":"types"}}},{"kind":"Argument","name":{"kind":"Name","value":"actor"},"value":{"kind":"Variable","name":{"kind":"Name","value":"actor"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"events"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"position"}},{"kind":"Field","name":{"kind":"Name","value":"eventId"}},{"kind":"Field","name":{"kind":"Name","value":"stream"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"actor"}},{"kind":"Field","name":{"kind":"Name","value":"recordedAt"}},{"kind":"Field","name":{"kind":"Name","value":"payload"}}]}},{"kind":"Field","name":{"kind":"Name","value":"nextAfter"}}]}}]}}]} as unknown as DocumentNode<AuditLogQuery, AuditLogQueryVariables>;
export const LiveDeploymentDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"LiveDeployment"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"deployment"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"target"}},{"kind":"Field","name":{"kind":"Name","value":"sourceKind"}},{"kind":"Field","name":{"kind":"Name","value":"sourceRef"}},{"kind":"Field","name":{"kind":"Name","value":"commitSha"}},{"kind":"Field","name":{"kind":"Name","value":"url"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}},{"kind":"Field","name":{"kind":"Name","value":"build"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"durationMs"}},{"kind":"Field","name":{"kind":"Name","value":"error"}},{"kind":"Field","name":{"kind":"Name","value":"logChunks"}}]}},{"kind":"Field","name":{"kind":"Name","value":"analytics"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"status2xx"}},{"kind":"Field","name":{"kind":"Name","value":"status3xx"}},{"kind":"Field","name":{"kind":"Name","value":"status4xx"}},{"kind":"Field","name":{"kind":"Name","value":"status5xx"}}]}}]}}]}}]} as unknown as DocumentNode<LiveDeploymentSubscription, LiveDeploymentSubscriptionVariables>;
export const DeploymentLogDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"DeploymentLog"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"chunk"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"deployment"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"logSince"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"chunk"},"value":{"kind":"Variable","name":{"kind":"Name","value":"chunk"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"chunks"}},{"kind":"Field","name":{"kind":"Name","value":"lines"}}]}}]}}]}}]} as unknown as DocumentNode<DeploymentLogQuery, DeploymentLogQueryVariables>;
export const ProjectDomainsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ProjectDomains"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"organization"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"project"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"project"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"organization"},"value":{"kind":"Variable","name":{"kind":"Name","value":"organization"}}},{"kind":"Argument","name":{"kind":"Name","value":"slug"},"value":{"kind":"Variable","name":{"kind":"Name","value":"project"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"domains"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"hostname"}},{"kind":"Field","name":{"kind":"Name","value":"redirectTo"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"lastError"}},{"kind":"Field","name":{"kind":"Name","value":"checks"}},{"kind":"Field","name":{"kind":"Name","value":"hstsMaxAge"}},{"kind":"Field","name":{"kind":"Name","value":"hstsIncludeSubdomains"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"dnsRecords"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"recordType"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"value"}}]}},{"kind":"Field","name":{"kind":"Name","value":"certificate"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"issuer"}},{"kind":"Field","name":{"kind":"Name","value":"notAfter"}},{"kind":"Field","name":{"kind":"Name","value":"error"}}]}}]}}]}}]}}]} as unknown as DocumentNode<ProjectDomainsQuery, ProjectDomainsQueryVariables>;
export const AddDomainDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"AddDomain"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"organization"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"project"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"hostname"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"redirectTo"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"addDomain"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"organization"},"value":{"kind":"Variable","name":{"kind":"Name","value":"organization"}}},{"kind":"Argument","name":{"kind":"Name","value":"project"},"value":{"kind":"Variable","name":{"kind":"Name","value":"project"}}},{"kind":"Argument","name":{"kind":"Name","value":"hostname"},"value":{"kind":"Variable","name":{"kind":"Name","value":"hostname"}}},{"kind":"Argument","name":{"kind":"Name","value":"redirectTo"},"value":{"kind":"Variable","name":{"kind":"Name","value":"redirectTo"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"hostname"}}]}}]}}]} as unknown as DocumentNode<AddDomainMutation, AddDomainMutationVariables>;
export const VerifyDomainDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"VerifyDomain"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"verifyDomain"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"lastError"}},{"kind":"Field","name":{"kind":"Name","value":"checks"}}]}}]}}]} as unknown as DocumentNode<VerifyDomainMutation, VerifyDomainMutationVariables>;
export const SetDomainHstsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"SetDomainHsts"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"maxAgeSeconds"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"includeSubdomains"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Boolean"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"setDomainHsts"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}},{"kind":"Argument","name":{"kind":"Name","value":"maxAgeSeconds"},"value":{"kind":"Variable","name":{"kind":"Name","value":"maxAgeSeconds"}}},{"kind":"Argument","name":{"kind":"Name","value":"includeSubdomains"},"value":{"kind":"Variable","name":{"kind":"Name","value":"includeSubdomains"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"hstsMaxAge"}},{"kind":"Field","name":{"kind":"Name","value":"hstsIncludeSubdomains"}}]}}]}}]} as unknown as DocumentNode<SetDomainHstsMutation, SetDomainHstsMutationVariables>;
export const RemoveDomainDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RemoveDomain"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"removeDomain"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}]}]}}]} as unknown as DocumentNode<RemoveDomainMutation, RemoveDomainMutationVariables>;
export const OrganizationsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Organizations"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"organizations"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"slug"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]} as unknown as DocumentNode<OrganizationsQuery, OrganizationsQueryVariables>;
export const CreateOrganizationDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreateOrganization"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"slug"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"name"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createOrganization"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"slug"},"value":{"kind":"Variable","name":{"kind":"Name","value":"slug"}}},{"kind":"Argument","name":{"kind":"Name","value":"name"},"value":{"kind":"Variable","name":{"kind":"Name","value":"name"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"slug"}}]}}]}}]} as unknown as DocumentNode<CreateOrganizationMutation, CreateOrganizationMutationVariables>;
export const InvoiceDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Invoice"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"invoice"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"period"}},{"kind":"Field","name":{"kind":"Name","value":"plan"}},{"kind":"Field","name":{"kind":"Name","value":"totalCents"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}},{"kind":"Field","name":{"kind":"Name","value":"lines"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"number"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"metric"}},{"kind":"Field","name":{"kind":"Name","value":"quantity"}},{"kind":"Field","name":{"kind":"Name","value":"unit"}},{"kind":"Field","name":{"kind":"Name","value":"unitPriceCents"}},{"kind":"Field","name":{"kind":"Name","value":"amountCents"}},{"kind":"Field","name":{"kind":"Name","value":"sources"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"eventId"}},{"kind":"Field","name":{"kind":"Name","value":"position"}},{"kind":"Field","name":{"kind":"Name","value":"projectId"}},{"kind":"Field","name":{"kind":"Name","value":"quantity"}}]}}]}}]}}]}}]} as unknown as DocumentNode<InvoiceQuery, InvoiceQueryVariables>;
export const VerifyEmailDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"VerifyEmail"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"token"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"verifyEmail"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"token"},"value":{"kind":"Variable","name":{"kind":"Name","value":"token"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"token"}}]}}]}}]} as unknown as DocumentNode<VerifyEmailMutation, VerifyEmailMutationVariables>;
export const AcceptInvitationDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"AcceptInvitation"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"invitationId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"token"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"acceptInvitation"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"invitationId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"invitationId"}}},{"kind":"Argument","name":{"kind":"Name","value":"token"},"value":{"kind":"Variable","name":{"kind":"Name","value":"token"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"slug"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]} as unknown as DocumentNode<AcceptInvitationMutation, AcceptInvitationMutationVariables>;
export const ProjectDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Project"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"organization"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"project"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"project"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"organization"},"value":{"kind":"Variable","name":{"kind":"Name","value":"organization"}}},{"kind":"Argument","name":{"kind":"Name","value":"slug"},"value":{"kind":"Variable","name":{"kind":"Name","value":"project"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"slug"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"productionDeployment"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"url"}}]}},{"kind":"Field","name":{"kind":"Name","value":"deployments"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}}]}},{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"target"}},{"kind":"Field","name":{"kind":"Name","value":"sourceKind"}},{"kind":"Field","name":{"kind":"Name","value":"sourceRef"}},{"kind":"Field","name":{"kind":"Name","value":"commitSha"}},{"kind":"Field","name":{"kind":"Name","value":"url"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"build"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"durationMs"}},{"kind":"Field","name":{"kind":"Name","value":"error"}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<ProjectQuery, ProjectQueryVariables>;
export const PromoteDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"Promote"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"promoteDeployment"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}}]}}]} as unknown as DocumentNode<PromoteMutation, PromoteMutationVariables>;
export const RollbackDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"Rollback"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"rollbackDeployment"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}}]}}]} as unknown as DocumentNode<RollbackMutation, RollbackMutationVariables>;
export const ProjectsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Projects"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"organization"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"organization"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"slug"},"value":{"kind":"Variable","name":{"kind":"Name","value":"organization"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"projects"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"slug"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"settings"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"framework"}}]}},{"kind":"Field","name":{"kind":"Name","value":"productionDeployment"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"url"}}]}},{"kind":"Field","name":{"kind":"Name","value":"deployments"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"1"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<ProjectsQuery, ProjectsQueryVariables>;
export const CreateProjectDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreateProject"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"organization"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"slug"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"name"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"framework"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createProject"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"organization"},"value":{"kind":"Variable","name":{"kind":"Name","value":"organization"}}},{"kind":"Argument","name":{"kind":"Name","value":"slug"},"value":{"kind":"Variable","name":{"kind":"Name","value":"slug"}}},{"kind":"Argument","name":{"kind":"Name","value":"name"},"value":{"kind":"Variable","name":{"kind":"Name","value":"name"}}},{"kind":"Argument","name":{"kind":"Name","value":"framework"},"value":{"kind":"Variable","name":{"kind":"Name","value":"framework"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"slug"}}]}}]}}]} as unknown as DocumentNode<CreateProjectMutation, CreateProjectMutationVariables>;
export const ProjectSettingsPageDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ProjectSettingsPage"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"organization"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"project"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"project"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"organization"},"value":{"kind":"Variable","name":{"kind":"Name","value":"organization"}}},{"kind":"Argument","name":{"kind":"Name","value":"slug"},"value":{"kind":"Variable","name":{"kind":"Name","value":"project"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"slug"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"settings"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"framework"}},{"kind":"Field","name":{"kind":"Name","value":"installCommand"}},{"kind":"Field","name":{"kind":"Name","value":"buildCommand"}},{"kind":"Field","name":{"kind":"Name","value":"outputDirectory"}},{"kind":"Field","name":{"kind":"Name","value":"rootDirectory"}},{"kind":"Field","name":{"kind":"Name","value":"productionBranch"}}]}},{"kind":"Field","name":{"kind":"Name","value":"envVars"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"key"}},{"kind":"Field","name":{"kind":"Name","value":"target"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}}]}}]}}]}}]} as unknown as DocumentNode<ProjectSettingsPageQuery, ProjectSettingsPageQueryVariables>;
export const UpdateProjectSettingsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"UpdateProjectSettings"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"organization"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"project"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"settings"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ProjectSettingsInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"updateProjectSettings"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"organization"},"value":{"kind":"Variable","name":{"kind":"Name","value":"organization"}}},{"kind":"Argument","name":{"kind":"Name","value":"project"},"value":{"kind":"Variable","name":{"kind":"Name","value":"project"}}},{"kind":"Argument","name":{"kind":"Name","value":"settings"},"value":{"kind":"Variable","name":{"kind":"Name","value":"settings"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"settings"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"framework"}},{"kind":"Field","name":{"kind":"Name","value":"installCommand"}},{"kind":"Field","name":{"kind":"Name","value":"buildCommand"}},{"kind":"Field","name":{"kind":"Name","value":"outputDirectory"}},{"kind":"Field","name":{"kind":"Name","value":"rootDirectory"}},{"kind":"Field","name":{"kind":"Name","value":"productionBranch"}}]}}]}}]}}]} as unknown as DocumentNode<UpdateProjectSettingsMutation, UpdateProjectSettingsMutationVariables>;
export const SetEnvVarDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"SetEnvVar"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"organization"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"project"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"key"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"value"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"target"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"EnvTarget"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"setEnvVar"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"organization"},"value":{"kind":"Variable","name":{"kind":"Name","value":"organization"}}},{"kind":"Argument","name":{"kind":"Name","value":"project"},"value":{"kind":"Variable","name":{"kind":"Name","value":"project"}}},{"kind":"Argument","name":{"kind":"Name","value":"key"},"value":{"kind":"Variable","name":{"kind":"Name","value":"key"}}},{"kind":"Argument","name":{"kind":"Name","value":"value"},"value":{"kind":"Variable","name":{"kind":"Name","value":"value"}}},{"kind":"Argument","name":{"kind":"Name","value":"target"},"value":{"kind":"Variable","name":{"kind":"Name","value":"target"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"key"}},{"kind":"Field","name":{"kind":"Name","value":"target"}}]}}]}}]} as unknown as DocumentNode<SetEnvVarMutation, SetEnvVarMutationVariables>;
export const RemoveEnvVarDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RemoveEnvVar"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"organization"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"project"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"key"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"target"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"EnvTarget"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"removeEnvVar"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"organization"},"value":{"kind":"Variable","name":{"kind":"Name","value":"organization"}}},{"kind":"Argument","name":{"kind":"Name","value":"project"},"value":{"kind":"Variable","name":{"kind":"Name","value":"project"}}},{"kind":"Argument","name":{"kind":"Name","value":"key"},"value":{"kind":"Variable","name":{"kind":"Name","value":"key"}}},{"kind":"Argument","name":{"kind":"Name","value":"target"},"value":{"kind":"Variable","name":{"kind":"Name","value":"target"}}}]}]}}]} as unknown as DocumentNode<RemoveEnvVarMutation, RemoveEnvVarMutationVariables>;
export const ConnectGitRepositoryDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ConnectGitRepository"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"organization"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"project"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"repositoryUrl"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"connectGitRepository"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"organization"},"value":{"kind":"Variable","name":{"kind":"Name","value":"organization"}}},{"kind":"Argument","name":{"kind":"Name","value":"project"},"value":{"kind":"Variable","name":{"kind":"Name","value":"project"}}},{"kind":"Argument","name":{"kind":"Name","value":"repositoryUrl"},"value":{"kind":"Variable","name":{"kind":"Name","value":"repositoryUrl"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"webhookPath"}},{"kind":"Field","name":{"kind":"Name","value":"secret"}}]}}]}}]} as unknown as DocumentNode<ConnectGitRepositoryMutation, ConnectGitRepositoryMutationVariables>;
export const DeleteProjectDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"DeleteProject"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"organization"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"project"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"deleteProject"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"organization"},"value":{"kind":"Variable","name":{"kind":"Name","value":"organization"}}},{"kind":"Argument","name":{"kind":"Name","value":"project"},"value":{"kind":"Variable","name":{"kind":"Name","value":"project"}}}]}]}}]} as unknown as DocumentNode<DeleteProjectMutation, DeleteProjectMutationVariables>;
export const LoginDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"Login"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"email"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"password"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"login"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"email"},"value":{"kind":"Variable","name":{"kind":"Name","value":"email"}}},{"kind":"Argument","name":{"kind":"Name","value":"password"},"value":{"kind":"Variable","name":{"kind":"Name","value":"password"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"token"}}]}}]}}]} as unknown as DocumentNode<LoginMutation, LoginMutationVariables>;
export const RegisterUserDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RegisterUser"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"email"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"name"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"password"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"registerUser"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"email"},"value":{"kind":"Variable","name":{"kind":"Name","value":"email"}}},{"kind":"Argument","name":{"kind":"Name","value":"name"},"value":{"kind":"Variable","name":{"kind":"Name","value":"name"}}},{"kind":"Argument","name":{"kind":"Name","value":"password"},"value":{"kind":"Variable","name":{"kind":"Name","value":"password"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"token"}},{"kind":"Field","name":{"kind":"Name","value":"verificationSent"}}]}}]}}]} as unknown as DocumentNode<RegisterUserMutation, RegisterUserMutationVariables>;
export const WhoAmIDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"WhoAmI"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"viewer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"actor"}}]}}]}}]} as unknown as DocumentNode<WhoAmIQuery, WhoAmIQueryVariables>;
export const TeamMembersDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"TeamMembers"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"organization"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"viewer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"user"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"organization"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"slug"},"value":{"kind":"Variable","name":{"kind":"Name","value":"organization"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"members"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"user"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"joinedAt"}}]}}]}}]}}]} as unknown as DocumentNode<TeamMembersQuery, TeamMembersQueryVariables>;
export const TeamInvitationsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"TeamInvitations"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"organization"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"organization"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"slug"},"value":{"kind":"Variable","name":{"kind":"Name","value":"organization"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"invitations"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"acceptedBy"}}]}}]}}]}}]} as unknown as DocumentNode<TeamInvitationsQuery, TeamInvitationsQueryVariables>;
export const TeamApiTokensDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"TeamApiTokens"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"organization"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"organization"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"slug"},"value":{"kind":"Variable","name":{"kind":"Name","value":"organization"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"apiTokens"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"revokedAt"}}]}}]}}]}}]} as unknown as DocumentNode<TeamApiTokensQuery, TeamApiTokensQueryVariables>;
export const ChangeMemberRoleDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ChangeMemberRole"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"organization"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"userId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"role"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Role"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"changeMemberRole"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"organization"},"value":{"kind":"Variable","name":{"kind":"Name","value":"organization"}}},{"kind":"Argument","name":{"kind":"Name","value":"userId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"userId"}}},{"kind":"Argument","name":{"kind":"Name","value":"role"},"value":{"kind":"Variable","name":{"kind":"Name","value":"role"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}}]}}]} as unknown as DocumentNode<ChangeMemberRoleMutation, ChangeMemberRoleMutationVariables>;
export const RemoveMemberDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RemoveMember"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"organization"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"userId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"removeMember"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"organization"},"value":{"kind":"Variable","name":{"kind":"Name","value":"organization"}}},{"kind":"Argument","name":{"kind":"Name","value":"userId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"userId"}}}]}]}}]} as unknown as DocumentNode<RemoveMemberMutation, RemoveMemberMutationVariables>;
export const InviteMemberDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"InviteMember"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"organization"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"email"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"role"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Role"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"inviteMember"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"organization"},"value":{"kind":"Variable","name":{"kind":"Name","value":"organization"}}},{"kind":"Argument","name":{"kind":"Name","value":"email"},"value":{"kind":"Variable","name":{"kind":"Name","value":"email"}}},{"kind":"Argument","name":{"kind":"Name","value":"role"},"value":{"kind":"Variable","name":{"kind":"Name","value":"role"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}},{"kind":"Field","name":{"kind":"Name","value":"acceptToken"}},{"kind":"Field","name":{"kind":"Name","value":"role"}}]}}]}}]} as unknown as DocumentNode<InviteMemberMutation, InviteMemberMutationVariables>;
export const CreateApiTokenDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreateApiToken"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"organization"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"name"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"role"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Role"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"expiresInDays"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createApiToken"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"organization"},"value":{"kind":"Variable","name":{"kind":"Name","value":"organization"}}},{"kind":"Argument","name":{"kind":"Name","value":"name"},"value":{"kind":"Variable","name":{"kind":"Name","value":"name"}}},{"kind":"Argument","name":{"kind":"Name","value":"role"},"value":{"kind":"Variable","name":{"kind":"Name","value":"role"}}},{"kind":"Argument","name":{"kind":"Name","value":"expiresInDays"},"value":{"kind":"Variable","name":{"kind":"Name","value":"expiresInDays"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"token"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"secret"}}]}}]}}]} as unknown as DocumentNode<CreateApiTokenMutation, CreateApiTokenMutationVariables>;
export const RevokeApiTokenDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RevokeApiToken"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"organization"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"tokenId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"revokeApiToken"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"organization"},"value":{"kind":"Variable","name":{"kind":"Name","value":"organization"}}},{"kind":"Argument","name":{"kind":"Name","value":"tokenId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"tokenId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"revokedAt"}}]}}]}}]} as unknown as DocumentNode<RevokeApiTokenMutation, RevokeApiTokenMutationVariables>;
export const UsageDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Usage"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"organization"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"period"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"organization"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"slug"},"value":{"kind":"Variable","name":{"kind":"Name","value":"organization"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"subscription"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"plan"}},{"kind":"Field","name":{"kind":"Name","value":"priceCents"}},{"kind":"Field","name":{"kind":"Name","value":"buildsPerMonth"}},{"kind":"Field","name":{"kind":"Name","value":"bandwidthBytes"}},{"kind":"Field","name":{"kind":"Name","value":"overageCentsPerGb"}},{"kind":"Field","name":{"kind":"Name","value":"bandwidthBlocked"}},{"kind":"Field","name":{"kind":"Name","value":"storageBytes"}}]}},{"kind":"Field","name":{"kind":"Name","value":"usage"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"period"},"value":{"kind":"Variable","name":{"kind":"Name","value":"period"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"metric"}},{"kind":"Field","name":{"kind":"Name","value":"projectId"}},{"kind":"Field","name":{"kind":"Name","value":"quantity"}}]}},{"kind":"Field","name":{"kind":"Name","value":"dailyUsage"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"period"},"value":{"kind":"Variable","name":{"kind":"Name","value":"period"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"day"}},{"kind":"Field","name":{"kind":"Name","value":"metric"}},{"kind":"Field","name":{"kind":"Name","value":"quantity"}}]}}]}}]}}]} as unknown as DocumentNode<UsageQuery, UsageQueryVariables>;
export const InvoicesDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Invoices"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"organization"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"organization"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"slug"},"value":{"kind":"Variable","name":{"kind":"Name","value":"organization"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"invoices"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"period"}},{"kind":"Field","name":{"kind":"Name","value":"plan"}},{"kind":"Field","name":{"kind":"Name","value":"totalCents"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}}]}}]}}]}}]} as unknown as DocumentNode<InvoicesQuery, InvoicesQueryVariables>;
export const ChangePlanDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ChangePlan"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"organization"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"plan"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"PlanName"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"changePlan"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"organization"},"value":{"kind":"Variable","name":{"kind":"Name","value":"organization"}}},{"kind":"Argument","name":{"kind":"Name","value":"plan"},"value":{"kind":"Variable","name":{"kind":"Name","value":"plan"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"plan"}}]}}]}}]} as unknown as DocumentNode<ChangePlanMutation, ChangePlanMutationVariables>;
export const LogoutDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"Logout"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"logout"}}]}}]} as unknown as DocumentNode<LogoutMutation, LogoutMutationVariables>;