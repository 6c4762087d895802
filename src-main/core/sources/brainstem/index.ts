// The BrainSTEM source's entry point: what sources/registry.ts (and only it, and this source's own
// tests) imports: the SourceModule, and the client it is built on.
export { brainstem } from './module';
export { createBrainstemClient, type BrainstemClient, type BrainstemClientOptions } from './client';
export { DEFAULT_BRAINSTEM_URL, PORTALS, brainstemUrls, brainstemUrlProblem, isPortal, type BrainstemUrls, type Portal } from './connection';
export type { BrainstemAuth } from './auth/session';
export { checkToken, type TokenCheck, type TokenCheckOptions, type TokenCheckOutcome } from './auth/token-check';
export { runDeviceFlow, type DeviceCodeInfo, type DeviceFlowOptions, type DeviceFlowResult } from './auth/device-flow';
export { signInWithPassword, type PasswordSignIn, type SignedIn } from './auth/password-sign-in';
export {
  brainstemSource,
  brainstemDataType,
  brainstemLevel,
  isBrainstemStreamId,
  STREAM_IDS,
  LINK_COLUMNS,
  type BrainstemDataType,
  type BrainstemLevel,
  type BrainstemLevelId,
  type BrainstemScopeLevel,
  type BrainstemSourceDescriptor,
  type BrainstemStreamId,
} from './descriptors';
export type { BrainstemScope, StreamPlan } from './streams';
export type { ReadableType, StreamBatch, ReadStreamsOptions } from './read-streams';
export type { Page, PageOptions, PagesOptions } from './pager';
export type { ListRequest } from './query';
export type { LevelItem } from './levels';
export type { JsonRecord } from './envelope';
export { linkRows, type LinkRow } from './links';
export { withRelationIds, relatedId, relatedIds, groupOf } from './relations';
export { IMAGES_FOLDER, imageUrlOf } from './media';
export { BRAINSTEM_MAX_IN_FLIGHT, BRAINSTEM_PAGE_LIMIT, BRAINSTEM_TIMEOUT_MS, MAX_REQUEST_LINE } from './policy';
