/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query Shell($organization: String!) {\n    viewer {\n      actor\n      user {\n        name\n        email\n      }\n    }\n    organizations {\n      slug\n      name\n    }\n    organization(slug: $organization) {\n      id\n      slug\n      name\n      viewerRole\n    }\n  }\n": typeof types.ShellDocument,
    "\n  subscription OrganizationEvents($organization: String!) {\n    events(organization: $organization) {\n      position\n      type\n    }\n  }\n": typeof types.OrganizationEventsDocument,
    "\n  query AuditLog($organization: String!, $after: Int, $types: [String!], $actor: String, $first: Int) {\n    auditLog(organization: $organization, after: $after, types: $types, actor: $actor, first: $first) {\n      events {\n        position\n        eventId\n        stream\n        version\n        type\n        actor\n        recordedAt\n        payload\n      }\n      nextAfter\n    }\n  }\n": typeof types.AuditLogDocument,
    "\n  subscription LiveDeployment($id: String!) {\n    deployment(id: $id) {\n      id\n      status\n      target\n      sourceKind\n      sourceRef\n      commitSha\n      url\n      createdAt\n      updatedAt\n      build {\n        durationMs\n        error\n        logChunks\n      }\n      analytics {\n        status2xx\n        status3xx\n        status4xx\n        status5xx\n      }\n    }\n  }\n": typeof types.LiveDeploymentDocument,
    "\n  query DeploymentLog($id: String!, $chunk: Int!) {\n    deployment(id: $id) {\n      id\n      logSince(chunk: $chunk) {\n        chunks\n        lines\n      }\n    }\n  }\n": typeof types.DeploymentLogDocument,
    "\n  query ProjectDomains($organization: String!, $project: String!) {\n    project(organization: $organization, slug: $project) {\n      id\n      name\n      domains {\n        id\n        hostname\n        redirectTo\n        status\n        lastError\n        checks\n        hstsMaxAge\n        hstsIncludeSubdomains\n        createdAt\n        dnsRecords {\n          recordType\n          name\n          value\n        }\n        certificate {\n          status\n          issuer\n          notAfter\n          error\n        }\n      }\n    }\n  }\n": typeof types.ProjectDomainsDocument,
    "\n  mutation AddDomain($organization: String!, $project: String!, $hostname: String!, $redirectTo: String) {\n    addDomain(organization: $organization, project: $project, hostname: $hostname, redirectTo: $redirectTo) {\n      id\n      hostname\n    }\n  }\n": typeof types.AddDomainDocument,
    "\n  mutation VerifyDomain($id: String!) {\n    verifyDomain(id: $id) {\n      id\n      status\n      lastError\n      checks\n    }\n  }\n": typeof types.VerifyDomainDocument,
    "\n  mutation SetDomainHsts($id: String!, $maxAgeSeconds: Int!, $includeSubdomains: Boolean!) {\n    setDomainHsts(id: $id, maxAgeSeconds: $maxAgeSeconds, includeSubdomains: $includeSubdomains) {\n      id\n      hstsMaxAge\n      hstsIncludeSubdomains\n    }\n  }\n": typeof types.SetDomainHstsDocument,
    "\n  mutation RemoveDomain($id: String!) {\n    removeDomain(id: $id)\n  }\n": typeof types.RemoveDomainDocument,
    "\n  query Organizations {\n    organizations {\n      slug\n      name\n    }\n  }\n": typeof types.OrganizationsDocument,
    "\n  mutation CreateOrganization($slug: String!, $name: String!) {\n    createOrganization(slug: $slug, name: $name) {\n      slug\n    }\n  }\n": typeof types.CreateOrganizationDocument,
    "\n  query Invoice($id: String!) {\n    invoice(id: $id) {\n      id\n      period\n      plan\n      totalCents\n      updatedAt\n      lines {\n        number\n        description\n        metric\n        quantity\n        unit\n        unitPriceCents\n        amountCents\n        sources {\n          eventId\n          position\n          projectId\n          quantity\n        }\n      }\n    }\n  }\n": typeof types.InvoiceDocument,
    "\n  mutation VerifyEmail($token: String!) {\n    verifyEmail(token: $token) {\n      token\n    }\n  }\n": typeof types.VerifyEmailDocument,
    "\n  mutation AcceptInvitation($invitationId: String!, $token: String) {\n    acceptInvitation(invitationId: $invitationId, token: $token) {\n      slug\n      name\n    }\n  }\n": typeof types.AcceptInvitationDocument,
    "\n  query Project($organization: String!, $project: String!, $first: Int!) {\n    project(organization: $organization, slug: $project) {\n      id\n      slug\n      name\n      productionDeployment {\n        id\n        url\n      }\n      deployments(first: $first) {\n        pageInfo {\n          hasNextPage\n        }\n        nodes {\n          id\n          status\n          target\n          sourceKind\n          sourceRef\n          commitSha\n          url\n          createdAt\n          build {\n            durationMs\n            error\n          }\n        }\n      }\n    }\n  }\n": typeof types.ProjectDocument,
    "\n  mutation Promote($id: String!) {\n    promoteDeployment(id: $id) {\n      id\n      status\n    }\n  }\n": typeof types.PromoteDocument,
    "\n  mutation Rollback($id: String!) {\n    rollbackDeployment(id: $id) {\n      id\n      status\n    }\n  }\n": typeof types.RollbackDocument,
    "\n  query Projects($organization: String!) {\n    organization(slug: $organization) {\n      projects {\n        id\n        slug\n        name\n        createdAt\n        settings {\n          framework\n        }\n        productionDeployment {\n          id\n          url\n        }\n        deployments(first: 1) {\n          nodes {\n            id\n            status\n            createdAt\n          }\n        }\n      }\n    }\n  }\n": typeof types.ProjectsDocument,
    "\n  mutation CreateProject($organization: String!, $slug: String!, $name: String!, $framework: String) {\n    createProject(organization: $organization, slug: $slug, name: $name, framework: $framework) {\n      slug\n    }\n  }\n": typeof types.CreateProjectDocument,
    "\n  query ProjectSettingsPage($organization: String!, $project: String!) {\n    project(organization: $organization, slug: $project) {\n      id\n      slug\n      name\n      settings {\n        framework\n        installCommand\n        buildCommand\n        outputDirectory\n        rootDirectory\n        productionBranch\n      }\n      envVars {\n        key\n        target\n        updatedAt\n      }\n    }\n  }\n": typeof types.ProjectSettingsPageDocument,
    "\n  mutation UpdateProjectSettings($organization: String!, $project: String!, $settings: ProjectSettingsInput!) {\n    updateProjectSettings(organization: $organization, project: $project, settings: $settings) {\n      id\n      settings {\n        framework\n        installCommand\n        buildCommand\n        outputDirectory\n        rootDirectory\n        productionBranch\n      }\n    }\n  }\n": typeof types.UpdateProjectSettingsDocument,
    "\n  mutation SetEnvVar($organization: String!, $project: String!, $key: String!, $value: String!, $target: EnvTarget!) {\n    setEnvVar(organization: $organization, project: $project, key: $key, value: $value, target: $target) {\n      key\n      target\n    }\n  }\n": typeof types.SetEnvVarDocument,
    "\n  mutation RemoveEnvVar($organization: String!, $project: String!, $key: String!, $target: EnvTarget!) {\n    removeEnvVar(organization: $organization, project: $project, key: $key, target: $target)\n  }\n": typeof types.RemoveEnvVarDocument,
    "\n  mutation ConnectGitRepository($organization: String!, $project: String!, $repositoryUrl: String!) {\n    connectGitRepository(organization: $organization, project: $project, repositoryUrl: $repositoryUrl) {\n      webhookPath\n      secret\n    }\n  }\n": typeof types.ConnectGitRepositoryDocument,
    "\n  mutation DeleteProject($organization: String!, $project: String!) {\n    deleteProject(organization: $organization, project: $project)\n  }\n": typeof types.DeleteProjectDocument,
    "\n  mutation Login($email: String!, $password: String!) {\n    login(email: $email, password: $password) {\n      token\n    }\n  }\n": typeof types.LoginDocument,
    "\n  mutation RegisterUser($email: String!, $name: String!, $password: String!) {\n    registerUser(email: $email, name: $name, password: $password) {\n      token\n      verificationSent\n    }\n  }\n": typeof types.RegisterUserDocument,
    "\n  query WhoAmI {\n    viewer {\n      actor\n    }\n  }\n": typeof types.WhoAmIDocument,
    "\n  query TeamMembers($organization: String!) {\n    viewer {\n      user {\n        id\n      }\n    }\n    organization(slug: $organization) {\n      id\n      members {\n        user {\n          id\n          name\n          email\n        }\n        role\n        joinedAt\n      }\n    }\n  }\n": typeof types.TeamMembersDocument,
    "\n  query TeamInvitations($organization: String!) {\n    organization(slug: $organization) {\n      id\n      invitations {\n        id\n        email\n        role\n        expiresAt\n        acceptedBy\n      }\n    }\n  }\n": typeof types.TeamInvitationsDocument,
    "\n  query TeamApiTokens($organization: String!) {\n    organization(slug: $organization) {\n      id\n      apiTokens {\n        id\n        name\n        role\n        createdAt\n        expiresAt\n        revokedAt\n      }\n    }\n  }\n": typeof types.TeamApiTokensDocument,
    "\n  mutation ChangeMemberRole($organization: String!, $userId: String!, $role: Role!) {\n    changeMemberRole(organization: $organization, userId: $userId, role: $role) {\n      id\n    }\n  }\n": typeof types.ChangeMemberRoleDocument,
    "\n  mutation RemoveMember($organization: String!, $userId: String!) {\n    removeMember(organization: $organization, userId: $userId)\n  }\n": typeof types.RemoveMemberDocument,
    "\n  mutation InviteMember($organization: String!, $email: String!, $role: Role!) {\n    inviteMember(organization: $organization, email: $email, role: $role) {\n      id\n      email\n      acceptToken\n      role\n    }\n  }\n": typeof types.InviteMemberDocument,
    "\n  mutation CreateApiToken($organization: String!, $name: String!, $role: Role!, $expiresInDays: Int) {\n    createApiToken(organization: $organization, name: $name, role: $role, expiresInDays: $expiresInDays) {\n      token {\n        id\n        name\n      }\n      secret\n    }\n  }\n": typeof types.CreateApiTokenDocument,
    "\n  mutation RevokeApiToken($organization: String!, $tokenId: String!) {\n    revokeApiToken(organization: $organization, tokenId: $tokenId) {\n      id\n      revokedAt\n    }\n  }\n": typeof types.RevokeApiTokenDocument,
    "\n  query Usage($organization: String!, $period: String) {\n    organization(slug: $organization) {\n      subscription {\n        plan\n        priceCents\n        buildsPerMonth\n        bandwidthBytes\n        overageCentsPerGb\n        bandwidthBlocked\n        storageBytes\n      }\n      usage(period: $period) {\n        metric\n        projectId\n        quantity\n      }\n      dailyUsage(period: $period) {\n        day\n        metric\n        quantity\n      }\n    }\n  }\n": typeof types.UsageDocument,
    "\n  query Invoices($organization: String!) {\n    organization(slug: $organization) {\n      invoices {\n        id\n        period\n        plan\n        totalCents\n        updatedAt\n      }\n    }\n  }\n": typeof types.InvoicesDocument,
    "\n  mutation ChangePlan($organization: String!, $plan: PlanName!) {\n    changePlan(organization: $organization, plan: $plan) {\n      plan\n    }\n  }\n": typeof types.ChangePlanDocument,
    "\n  mutation Logout {\n    logout\n  }\n": typeof types.LogoutDocument,
};
const documents: Documents = {
    "\n  query Shell($organization: String!) {\n    viewer {\n      actor\n      user {\n        name\n        email\n      }\n    }\n    organizations {\n      slug\n      name\n    }\n    organization(slug: $organization) {\n      id\n      slug\n      name\n      viewerRole\n    }\n  }\n": types.ShellDocument,
    "\n  subscription OrganizationEvents($organization: String!) {\n    events(organization: $organization) {\n      position\n      type\n    }\n  }\n": types.OrganizationEventsDocument,
    "\n  query AuditLog($organization: String!, $after: Int, $types: [String!], $actor: String, $first: Int) {\n    auditLog(organization: $organization, after: $after, types: $types, actor: $actor, first: $first) {\n      events {\n        position\n        eventId\n        stream\n        version\n        type\n        actor\n        recordedAt\n        payload\n      }\n      nextAfter\n    }\n  }\n": types.AuditLogDocument,
    "\n  subscription LiveDeployment($id: String!) {\n    deployment(id: $id) {\n      id\n      status\n      target\n      sourceKind\n      sourceRef\n      commitSha\n      url\n      createdAt\n      updatedAt\n      build {\n        durationMs\n        error\n        logChunks\n      }\n      analytics {\n        status2xx\n        status3xx\n        status4xx\n        status5xx\n      }\n    }\n  }\n": types.LiveDeploymentDocument,
    "\n  query DeploymentLog($id: String!, $chunk: Int!) {\n    deployment(id: $id) {\n      id\n      logSince(chunk: $chunk) {\n        chunks\n        lines\n      }\n    }\n  }\n": types.DeploymentLogDocument,
    "\n  query ProjectDomains($organization: String!, $project: String!) {\n    project(organization: $organization, slug: $project) {\n      id\n      name\n      domains {\n        id\n        hostname\n        redirectTo\n        status\n        lastError\n        checks\n        hstsMaxAge\n        hstsIncludeSubdomains\n        createdAt\n        dnsRecords {\n          recordType\n          name\n          value\n        }\n        certificate {\n          status\n          issuer\n          notAfter\n          error\n        }\n      }\n    }\n  }\n": types.ProjectDomainsDocument,
    "\n  mutation AddDomain($organization: String!, $project: String!, $hostname: String!, $redirectTo: String) {\n    addDomain(organization: $organization, project: $project, hostname: $hostname, redirectTo: $redirectTo) {\n      id\n      hostname\n    }\n  }\n": types.AddDomainDocument,
    "\n  mutation VerifyDomain($id: String!) {\n    verifyDomain(id: $id) {\n      id\n      status\n      lastError\n      checks\n    }\n  }\n": types.VerifyDomainDocument,
    "\n  mutation SetDomainHsts($id: String!, $maxAgeSeconds: Int!, $includeSubdomains: Boolean!) {\n    setDomainHsts(id: $id, maxAgeSeconds: $maxAgeSeconds, includeSubdomains: $includeSubdomains) {\n      id\n      hstsMaxAge\n      hstsIncludeSubdomains\n    }\n  }\n": types.SetDomainHstsDocument,
    "\n  mutation RemoveDomain($id: String!) {\n    removeDomain(id: $id)\n  }\n": types.RemoveDomainDocument,
    "\n  query Organizations {\n    organizations {\n      slug\n      name\n    }\n  }\n": types.OrganizationsDocument,
    "\n  mutation CreateOrganization($slug: String!, $name: String!) {\n    createOrganization(slug: $slug, name: $name) {\n      slug\n    }\n  }\n": types.CreateOrganizationDocument,
    "\n  query Invoice($id: String!) {\n    invoice(id: $id) {\n      id\n      period\n      plan\n      totalCents\n      updatedAt\n      lines {\n        number\n        description\n        metric\n        quantity\n        unit\n        unitPriceCents\n        amountCents\n        sources {\n          eventId\n          position\n          projectId\n          quantity\n        }\n      }\n    }\n  }\n": types.InvoiceDocument,
    "\n  mutation VerifyEmail($token: String!) {\n    verifyEmail(token: $token) {\n      token\n    }\n  }\n": types.VerifyEmailDocument,
    "\n  mutation AcceptInvitation($invitationId: String!, $token: String) {\n    acceptInvitation(invitationId: $invitationId, token: $token) {\n      slug\n      name\n    }\n  }\n": types.AcceptInvitationDocument,
    "\n  query Project($organization: String!, $project: String!, $first: Int!) {\n    project(organization: $organization, slug: $project) {\n      id\n      slug\n      name\n      productionDeployment {\n        id\n        url\n      }\n      deployments(first: $first) {\n        pageInfo {\n          hasNextPage\n        }\n        nodes {\n          id\n          status\n          target\n          sourceKind\n          sourceRef\n          commitSha\n          url\n          createdAt\n          build {\n            durationMs\n            error\n          }\n        }\n      }\n    }\n  }\n": types.ProjectDocument,
    "\n  mutation Promote($id: String!) {\n    promoteDeployment(id: $id) {\n      id\n      status\n    }\n  }\n": types.PromoteDocument,
    "\n  mutation Rollback($id: String!) {\n    rollbackDeployment(id: $id) {\n      id\n      status\n    }\n  }\n": types.RollbackDocument,
    "\n  query Projects($organization: String!) {\n    organization(slug: $organization) {\n      projects {\n        id\n        slug\n        name\n        createdAt\n        settings {\n          framework\n        }\n        productionDeployment {\n          id\n          url\n        }\n        deployments(first: 1) {\n          nodes {\n            id\n            status\n            createdAt\n          }\n        }\n      }\n    }\n  }\n": types.ProjectsDocument,
    "\n  mutation CreateProject($organization: String!, $slug: String!, $name: String!, $framework: String) {\n    createProject(organization: $organization, slug: $slug, name: $name, framework: $framework) {\n      slug\n    }\n  }\n": types.CreateProjectDocument,
    "\n  query ProjectSettingsPage($organization: String!, $project: String!) {\n    project(organization: $organization, slug: $project) {\n      id\n      slug\n      name\n      settings {\n        framework\n        installCommand\n        buildCommand\n        outputDirectory\n        rootDirectory\n        productionBranch\n      }\n      envVars {\n        key\n        target\n        updatedAt\n      }\n    }\n  }\n": types.ProjectSettingsPageDocument,
    "\n  mutation UpdateProjectSettings($organization: String!, $project: String!, $settings: ProjectSettingsInput!) {\n    updateProjectSettings(organization: $organization, project: $project, settings: $settings) {\n      id\n      settings {\n        framework\n        installCommand\n        buildCommand\n        outputDirectory\n        rootDirectory\n        productionBranch\n      }\n    }\n  }\n": types.UpdateProjectSettingsDocument,
    "\n  mutation SetEnvVar($organization: String!, $project: String!, $key: String!, $value: String!, $target: EnvTarget!) {\n    setEnvVar(organization: $organization, project: $project, key: $key, value: $value, target: $target) {\n      key\n      target\n    }\n  }\n": types.SetEnvVarDocument,
    "\n  mutation RemoveEnvVar($organization: String!, $project: String!, $key: String!, $target: EnvTarget!) {\n    removeEnvVar(organization: $organization, project: $project, key: $key, target: $target)\n  }\n": types.RemoveEnvVarDocument,
    "\n  mutation ConnectGitRepository($organization: String!, $project: String!, $repositoryUrl: String!) {\n    connectGitRepository(organization: $organization, project: $project, repositoryUrl: $repositoryUrl) {\n      webhookPath\n      secret\n    }\n  }\n": types.ConnectGitRepositoryDocument,
    "\n  mutation DeleteProject($organization: String!, $project: String!) {\n    deleteProject(organization: $organization, project: $project)\n  }\n": types.DeleteProjectDocument,
    "\n  mutation Login($email: String!, $password: String!) {\n    login(email: $email, password: $password) {\n      token\n    }\n  }\n": types.LoginDocument,
    "\n  mutation RegisterUser($email: String!, $name: String!, $password: String!) {\n    registerUser(email: $email, name: $name, password: $password) {\n      token\n      verificationSent\n    }\n  }\n": types.RegisterUserDocument,
    "\n  query WhoAmI {\n    viewer {\n      actor\n    }\n  }\n": types.WhoAmIDocument,
    "\n  query TeamMembers($organization: String!) {\n    viewer {\n      user {\n        id\n      }\n    }\n    organization(slug: $organization) {\n      id\n      members {\n        user {\n          id\n          name\n          email\n        }\n        role\n        joinedAt\n      }\n    }\n  }\n": types.TeamMembersDocument,
    "\n  query TeamInvitations($organization: String!) {\n    organization(slug: $organization) {\n      id\n      invitations {\n        id\n        email\n        role\n        expiresAt\n        acceptedBy\n      }\n    }\n  }\n": types.TeamInvitationsDocument,
    "\n  query TeamApiTokens($organization: String!) {\n    organization(slug: $organization) {\n      id\n      apiTokens {\n        id\n        name\n        role\n        createdAt\n        expiresAt\n        revokedAt\n      }\n    }\n  }\n": types.TeamApiTokensDocument,
    "\n  mutation ChangeMemberRole($organization: String!, $userId: String!, $role: Role!) {\n    changeMemberRole(organization: $organization, userId: $userId, role: $role) {\n      id\n    }\n  }\n": types.ChangeMemberRoleDocument,
    "\n  mutation RemoveMember($organization: String!, $userId: String!) {\n    removeMember(organization: $organization, userId: $userId)\n  }\n": types.RemoveMemberDocument,
    "\n  mutation InviteMember($organization: String!, $email: String!, $role: Role!) {\n    inviteMember(organization: $organization, email: $email, role: $role) {\n      id\n      email\n      acceptToken\n      role\n    }\n  }\n": types.InviteMemberDocument,
    "\n  mutation CreateApiToken($organization: String!, $name: String!, $role: Role!, $expiresInDays: Int) {\n    createApiToken(organization: $organization, name: $name, role: $role, expiresInDays: $expiresInDays) {\n      token {\n        id\n        name\n      }\n      secret\n    }\n  }\n": types.CreateApiTokenDocument,
    "\n  mutation RevokeApiToken($organization: String!, $tokenId: String!) {\n    revokeApiToken(organization: $organization, tokenId: $tokenId) {\n      id\n      revokedAt\n    }\n  }\n": types.RevokeApiTokenDocument,
    "\n  query Usage($organization: String!, $period: String) {\n    organization(slug: $organization) {\n      subscription {\n        plan\n        priceCents\n        buildsPerMonth\n        bandwidthBytes\n        overageCentsPerGb\n        bandwidthBlocked\n        storageBytes\n      }\n      usage(period: $period) {\n        metric\n        projectId\n        quantity\n      }\n      dailyUsage(period: $period) {\n        day\n        metric\n        quantity\n      }\n    }\n  }\n": types.UsageDocument,
    "\n  query Invoices($organization: String!) {\n    organization(slug: $organization) {\n      invoices {\n        id\n        period\n        plan\n        totalCents\n        updatedAt\n      }\n    }\n  }\n": types.InvoicesDocument,
    "\n  mutation ChangePlan($organization: String!, $plan: PlanName!) {\n    changePlan(organization: $organization, plan: $plan) {\n      plan\n    }\n  }\n": types.ChangePlanDocument,
    "\n  mutation Logout {\n    logout\n  }\n": types.LogoutDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Shell($organization: String!) {\n    viewer {\n      actor\n      user {\n        name\n        email\n      }\n    }\n    organizations {\n      slug\n      name\n    }\n    organization(slug: $organization) {\n      id\n      slug\n      name\n      viewerRole\n    }\n  }\n"): (typeof documents)["\n  query Shell($organization: String!) {\n    viewer {\n      actor\n      user {\n        name\n        email\n      }\n    }\n    organizations {\n      slug\n      name\n    }\n    organization(slug: $organization) {\n      id\n      slug\n      name\n      viewerRole\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription OrganizationEvents($organization: String!) {\n    events(organization: $organization) {\n      position\n      type\n    }\n  }\n"): (typeof documents)["\n  subscription OrganizationEvents($organization: String!) {\n    events(organization: $organization) {\n      position\n      type\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AuditLog($organization: String!, $after: Int, $types: [String!], $actor: String, $first: Int) {\n    auditLog(organization: $organization, after: $after, types: $types, actor: $actor, first: $first) {\n      events {\n        position\n        eventId\n        stream\n        version\n        type\n        actor\n        recordedAt\n        payload\n      }\n      nextAfter\n    }\n  }\n"): (typeof documents)["\n  query AuditLog($organization: String!, $after: Int, $types: [String!], $actor: String, $first: Int) {\n    auditLog(organization: $organization, after: $after, types: $types, actor: $actor, first: $first) {\n      events {\n        position\n        eventId\n        stream\n        version\n        type\n        actor\n        recordedAt\n        payload\n      }\n      nextAfter\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription LiveDeployment($id: String!) {\n    deployment(id: $id) {\n      id\n      status\n      target\n      sourceKind\n      sourceRef\n      commitSha\n      url\n      createdAt\n      updatedAt\n      build {\n        durationMs\n        error\n        logChunks\n      }\n      analytics {\n        status2xx\n        status3xx\n        status4xx\n        status5xx\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription LiveDeployment($id: String!) {\n    deployment(id: $id) {\n      id\n      status\n      target\n      sourceKind\n      sourceRef\n      commitSha\n      url\n      createdAt\n      updatedAt\n      build {\n        durationMs\n        error\n        logChunks\n      }\n      analytics {\n        status2xx\n        status3xx\n        status4xx\n        status5xx\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DeploymentLog($id: String!, $chunk: Int!) {\n    deployment(id: $id) {\n      id\n      logSince(chunk: $chunk) {\n        chunks\n        lines\n      }\n    }\n  }\n"): (typeof documents)["\n  query DeploymentLog($id: String!, $chunk: Int!) {\n    deployment(id: $id) {\n      id\n      logSince(chunk: $chunk) {\n        chunks\n        lines\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ProjectDomains($organization: String!, $project: String!) {\n    project(organization: $organization, slug: $project) {\n      id\n      name\n      domains {\n        id\n        hostname\n        redirectTo\n        status\n        lastError\n        checks\n        hstsMaxAge\n        hstsIncludeSubdomains\n        createdAt\n        dnsRecords {\n          recordType\n          name\n          value\n        }\n        certificate {\n          status\n          issuer\n          notAfter\n          error\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query ProjectDomains($organization: String!, $project: String!) {\n    project(organization: $organization, slug: $project) {\n      id\n      name\n      domains {\n        id\n        hostname\n        redirectTo\n        status\n        lastError\n        checks\n        hstsMaxAge\n        hstsIncludeSubdomains\n        createdAt\n        dnsRecords {\n          recordType\n          name\n          value\n        }\n        certificate {\n          status\n          issuer\n          notAfter\n          error\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AddDomain($organization: String!, $project: String!, $hostname: String!, $redirectTo: String) {\n    addDomain(organization: $organization, project: $project, hostname: $hostname, redirectTo: $redirectTo) {\n      id\n      hostname\n    }\n  }\n"): (typeof documents)["\n  mutation AddDomain($organization: String!, $project: String!, $hostname: String!, $redirectTo: String) {\n    addDomain(organization: $organization, project: $project, hostname: $hostname, redirectTo: $redirectTo) {\n      id\n      hostname\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation VerifyDomain($id: String!) {\n    verifyDomain(id: $id) {\n      id\n      status\n      lastError\n      checks\n    }\n  }\n"): (typeof documents)["\n  mutation VerifyDomain($id: String!) {\n    verifyDomain(id: $id) {\n      id\n      status\n      lastError\n      checks\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetDomainHsts($id: String!, $maxAgeSeconds: Int!, $includeSubdomains: Boolean!) {\n    setDomainHsts(id: $id, maxAgeSeconds: $maxAgeSeconds, includeSubdomains: $includeSubdomains) {\n      id\n      hstsMaxAge\n      hstsIncludeSubdomains\n    }\n  }\n"): (typeof documents)["\n  mutation SetDomainHsts($id: String!, $maxAgeSeconds: Int!, $includeSubdomains: Boolean!) {\n    setDomainHsts(id: $id, maxAgeSeconds: $maxAgeSeconds, includeSubdomains: $includeSubdomains) {\n      id\n      hstsMaxAge\n      hstsIncludeSubdomains\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RemoveDomain($id: String!) {\n    removeDomain(id: $id)\n  }\n"): (typeof documents)["\n  mutation RemoveDomain($id: String!) {\n    removeDomain(id: $id)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Organizations {\n    organizations {\n      slug\n      name\n    }\n  }\n"): (typeof documents)["\n  query Organizations {\n    organizations {\n      slug\n      name\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateOrganization($slug: String!, $name: String!) {\n    createOrganization(slug: $slug, name: $name) {\n      slug\n    }\n  }\n"): (typeof documents)["\n  mutation CreateOrganization($slug: String!, $name: String!) {\n    createOrganization(slug: $slug, name: $name) {\n      slug\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Invoice($id: String!) {\n    invoice(id: $id) {\n      id\n      period\n      plan\n      totalCents\n      updatedAt\n      lines {\n        number\n        description\n        metric\n        quantity\n        unit\n        unitPriceCents\n        amountCents\n        sources {\n          eventId\n          position\n          projectId\n          quantity\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query Invoice($id: String!) {\n    invoice(id: $id) {\n      id\n      period\n      plan\n      totalCents\n      updatedAt\n      lines {\n        number\n        description\n        metric\n        quantity\n        unit\n        unitPriceCents\n        amountCents\n        sources {\n          eventId\n          position\n          projectId\n          quantity\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation VerifyEmail($token: String!) {\n    verifyEmail(token: $token) {\n      token\n    }\n  }\n"): (typeof documents)["\n  mutation VerifyEmail($token: String!) {\n    verifyEmail(token: $token) {\n      token\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AcceptInvitation($invitationId: String!, $token: String) {\n    acceptInvitation(invitationId: $invitationId, token: $token) {\n      slug\n      name\n    }\n  }\n"): (typeof documents)["\n  mutation AcceptInvitation($invitationId: String!, $token: String) {\n    acceptInvitation(invitationId: $invitationId, token: $token) {\n      slug\n      name\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Project($organization: String!, $project: String!, $first: Int!) {\n    project(organization: $organization, slug: $project) {\n      id\n      slug\n      name\n      productionDeployment {\n        id\n        url\n      }\n      deployments(first: $first) {\n        pageInfo {\n          hasNextPage\n        }\n        nodes {\n          id\n          status\n          target\n          sourceKind\n          sourceRef\n          commitSha\n          url\n          createdAt\n          build {\n            durationMs\n            error\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query Project($organization: String!, $project: String!, $first: Int!) {\n    project(organization: $organization, slug: $project) {\n      id\n      slug\n      name\n      productionDeployment {\n        id\n        url\n      }\n      deployments(first: $first) {\n        pageInfo {\n          hasNextPage\n        }\n        nodes {\n          id\n          status\n          target\n          sourceKind\n          sourceRef\n          commitSha\n          url\n          createdAt\n          build {\n            durationMs\n            error\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Promote($id: String!) {\n    promoteDeployment(id: $id) {\n      id\n      status\n    }\n  }\n"): (typeof documents)["\n  mutation Promote($id: String!) {\n    promoteDeployment(id: $id) {\n      id\n      status\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Rollback($id: String!) {\n    rollbackDeployment(id: $id) {\n      id\n      status\n    }\n  }\n"): (typeof documents)["\n  mutation Rollback($id: String!) {\n    rollbackDeployment(id: $id) {\n      id\n      status\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Projects($organization: String!) {\n    organization(slug: $organization) {\n      projects {\n        id\n        slug\n        name\n        createdAt\n        settings {\n          framework\n        }\n        productionDeployment {\n          id\n          url\n        }\n        deployments(first: 1) {\n          nodes {\n            id\n            status\n            createdAt\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query Projects($organization: String!) {\n    organization(slug: $organization) {\n      projects {\n        id\n        slug\n        name\n        createdAt\n        settings {\n          framework\n        }\n        productionDeployment {\n          id\n          url\n        }\n        deployments(first: 1) {\n          nodes {\n            id\n            status\n            createdAt\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateProject($organization: String!, $slug: String!, $name: String!, $framework: String) {\n    createProject(organization: $organization, slug: $slug, name: $name, framework: $framework) {\n      slug\n    }\n  }\n"): (typeof documents)["\n  mutation CreateProject($organization: String!, $slug: String!, $name: String!, $framework: String) {\n    createProject(organization: $organization, slug: $slug, name: $name, framework: $framework) {\n      slug\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ProjectSettingsPage($organization: String!, $project: String!) {\n    project(organization: $organization, slug: $project) {\n      id\n      slug\n      name\n      settings {\n        framework\n        installCommand\n        buildCommand\n        outputDirectory\n        rootDirectory\n        productionBranch\n      }\n      envVars {\n        key\n        target\n        updatedAt\n      }\n    }\n  }\n"): (typeof documents)["\n  query ProjectSettingsPage($organization: String!, $project: String!) {\n    project(organization: $organization, slug: $project) {\n      id\n      slug\n      name\n      settings {\n        framework\n        installCommand\n        buildCommand\n        outputDirectory\n        rootDirectory\n        productionBranch\n      }\n      envVars {\n        key\n        target\n        updatedAt\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateProjectSettings($organization: String!, $project: String!, $settings: ProjectSettingsInput!) {\n    updateProjectSettings(organization: $organization, project: $project, settings: $settings) {\n      id\n      settings {\n        framework\n        installCommand\n        buildCommand\n        outputDirectory\n        rootDirectory\n        productionBranch\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateProjectSettings($organization: String!, $project: String!, $settings: ProjectSettingsInput!) {\n    updateProjectSettings(organization: $organization, project: $project, settings: $settings) {\n      id\n      settings {\n        framework\n        installCommand\n        buildCommand\n        outputDirectory\n        rootDirectory\n        productionBranch\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetEnvVar($organization: String!, $project: String!, $key: String!, $value: String!, $target: EnvTarget!) {\n    setEnvVar(organization: $organization, project: $project, key: $key, value: $value, target: $target) {\n      key\n      target\n    }\n  }\n"): (typeof documents)["\n  mutation SetEnvVar($organization: String!, $project: String!, $key: String!, $value: String!, $target: EnvTarget!) {\n    setEnvVar(organization: $organization, project: $project, key: $key, value: $value, target: $target) {\n      key\n      target\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RemoveEnvVar($organization: String!, $project: String!, $key: String!, $target: EnvTarget!) {\n    removeEnvVar(organization: $organization, project: $project, key: $key, target: $target)\n  }\n"): (typeof documents)["\n  mutation RemoveEnvVar($organization: String!, $project: String!, $key: String!, $target: EnvTarget!) {\n    removeEnvVar(organization: $organization, project: $project, key: $key, target: $target)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConnectGitRepository($organization: String!, $project: String!, $repositoryUrl: String!) {\n    connectGitRepository(organization: $organization, project: $project, repositoryUrl: $repositoryUrl) {\n      webhookPath\n      secret\n    }\n  }\n"): (typeof documents)["\n  mutation ConnectGitRepository($organization: String!, $project: String!, $repositoryUrl: String!) {\n    connectGitRepository(organization: $organization, project: $project, repositoryUrl: $repositoryUrl) {\n      webhookPath\n      secret\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteProject($organization: String!, $project: String!) {\n    deleteProject(organization: $organization, project: $project)\n  }\n"): (typeof documents)["\n  mutation DeleteProject($organization: String!, $project: String!) {\n    deleteProject(organization: $organization, project: $project)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Login($email: String!, $password: String!) {\n    login(email: $email, password: $password) {\n      token\n    }\n  }\n"): (typeof documents)["\n  mutation Login($email: String!, $password: String!) {\n    login(email: $email, password: $password) {\n      token\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RegisterUser($email: String!, $name: String!, $password: String!) {\n    registerUser(email: $email, name: $name, password: $password) {\n      token\n      verificationSent\n    }\n  }\n"): (typeof documents)["\n  mutation RegisterUser($email: String!, $name: String!, $password: String!) {\n    registerUser(email: $email, name: $name, password: $password) {\n      token\n      verificationSent\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query WhoAmI {\n    viewer {\n      actor\n    }\n  }\n"): (typeof documents)["\n  query WhoAmI {\n    viewer {\n      actor\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query TeamMembers($organization: String!) {\n    viewer {\n      user {\n        id\n      }\n    }\n    organization(slug: $organization) {\n      id\n      members {\n        user {\n          id\n          name\n          email\n        }\n        role\n        joinedAt\n      }\n    }\n  }\n"): (typeof documents)["\n  query TeamMembers($organization: String!) {\n    viewer {\n      user {\n        id\n      }\n    }\n    organization(slug: $organization) {\n      id\n      members {\n        user {\n          id\n          name\n          email\n        }\n        role\n        joinedAt\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query TeamInvitations($organization: String!) {\n    organization(slug: $organization) {\n      id\n      invitations {\n        id\n        email\n        role\n        expiresAt\n        acceptedBy\n      }\n    }\n  }\n"): (typeof documents)["\n  query TeamInvitations($organization: String!) {\n    organization(slug: $organization) {\n      id\n      invitations {\n        id\n        email\n        role\n        expiresAt\n        acceptedBy\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query TeamApiTokens($organization: String!) {\n    organization(slug: $organization) {\n      id\n      apiTokens {\n        id\n        name\n        role\n        createdAt\n        expiresAt\n        revokedAt\n      }\n    }\n  }\n"): (typeof documents)["\n  query TeamApiTokens($organization: String!) {\n    organization(slug: $organization) {\n      id\n      apiTokens {\n        id\n        name\n        role\n        createdAt\n        expiresAt\n        revokedAt\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ChangeMemberRole($organization: String!, $userId: String!, $role: Role!) {\n    changeMemberRole(organization: $organization, userId: $userId, role: $role) {\n      id\n    }\n  }\n"): (typeof documents)["\n  mutation ChangeMemberRole($organization: String!, $userId: String!, $role: Role!) {\n    changeMemberRole(organization: $organization, userId: $userId, role: $role) {\n      id\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RemoveMember($organization: String!, $userId: String!) {\n    removeMember(organization: $organization, userId: $userId)\n  }\n"): (typeof documents)["\n  mutation RemoveMember($organization: String!, $userId: String!) {\n    removeMember(organization: $organization, userId: $userId)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation InviteMember($organization: String!, $email: String!, $role: Role!) {\n    inviteMember(organization: $organization, email: $email, role: $role) {\n      id\n      email\n      acceptToken\n      role\n    }\n  }\n"): (typeof documents)["\n  mutation InviteMember($organization: String!, $email: String!, $role: Role!) {\n    inviteMember(organization: $organization, email: $email, role: $role) {\n      id\n      email\n      acceptToken\n      role\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateApiToken($organization: String!, $name: String!, $role: Role!, $expiresInDays: Int) {\n    createApiToken(organization: $organization, name: $name, role: $role, expiresInDays: $expiresInDays) {\n      token {\n        id\n        name\n      }\n      secret\n    }\n  }\n"): (typeof documents)["\n  mutation CreateApiToken($organization: String!, $name: String!, $role: Role!, $expiresInDays: Int) {\n    createApiToken(organization: $organization, name: $name, role: $role, expiresInDays: $expiresInDays) {\n      token {\n        id\n        name\n      }\n      secret\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RevokeApiToken($organization: String!, $tokenId: String!) {\n    revokeApiToken(organization: $organization, tokenId: $tokenId) {\n      id\n      revokedAt\n    }\n  }\n"): (typeof documents)["\n  mutation RevokeApiToken($organization: String!, $tokenId: String!) {\n    revokeApiToken(organization: $organization, tokenId: $tokenId) {\n      id\n      revokedAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Usage($organization: String!, $period: String) {\n    organization(slug: $organization) {\n      subscription {\n        plan\n        priceCents\n        buildsPerMonth\n        bandwidthBytes\n        overageCentsPerGb\n        bandwidthBlocked\n        storageBytes\n      }\n      usage(period: $period) {\n        metric\n        projectId\n        quantity\n      }\n      dailyUsage(period: $period) {\n        day\n        metric\n        quantity\n      }\n    }\n  }\n"): (typeof documents)["\n  query Usage($organization: String!, $period: String) {\n    organization(slug: $organization) {\n      subscription {\n        plan\n        priceCents\n        buildsPerMonth\n        bandwidthBytes\n        overageCentsPerGb\n        bandwidthBlocked\n        storageBytes\n      }\n      usage(period: $period) {\n        metric\n        projectId\n        quantity\n      }\n      dailyUsage(period: $period) {\n        day\n        metric\n        quantity\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Invoices($organization: String!) {\n    organization(slug: $organization) {\n      invoices {\n        id\n        period\n        plan\n        totalCents\n        updatedAt\n      }\n    }\n  }\n"): (typeof documents)["\n  query Invoices($organization: String!) {\n    organization(slug: $organization) {\n      invoices {\n        id\n        period\n        plan\n        totalCents\n        updatedAt\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ChangePlan($organization: String!, $plan: PlanName!) {\n    changePlan(organization: $organization, plan: $plan) {\n      plan\n    }\n  }\n"): (typeof documents)["\n  mutation ChangePlan($organization: String!, $plan: PlanName!) {\n    changePlan(organization: $organization, plan: $plan) {\n      plan\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Logout {\n    logout\n  }\n"): (typeof documents)["\n  mutation Logout {\n    logout\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;