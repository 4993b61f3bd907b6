// The whole public surface of @rebind/runner: explicit named exports only.
export { callControl, currentSlot } from './client.js';
export type { ControlCall, Endpoints, RebindContext, ServiceEndpoint } from './client.js';
export { optionsOf, pristinePolicies, resolveServices, serviceKinds } from './declaration.js';
export { validateServices } from './validate-services.js';
export type {
  CommandServiceOptions,
  ComposeEndpoint,
  ComposeServiceOptions,
  Pristine,
  RebindOptions,
  RerunPolicy,
  ResolvedService,
  ServiceDeclaration,
  ServiceKind,
  ServiceOptionsByKind,
} from './declaration.js';
export { startServiceHost } from './service-host.js';
export type { HostStats, ServiceHost } from './service-host.js';
export { formatSummary } from './summary.js';
export type { LeftoverContainer } from './leftover-containers.js';
