/**
 * The library entry (`metacaptioner-web`): `createCaptioner()` and
 * everything a script needs around it — typed events, named errors,
 * presets, caption styles, the CapFlow domains and the caption record.
 * Importing it starts nothing; the worker starts on the first call.
 */
export { createCaptioner } from './client/captioner';
export type {
  CacheControls,
  Captioner,
  CaptionerOptions,
  CaptionRequest,
  CapflowRequest,
  LoadOptions,
  ModelChoice,
  PlanOptions,
  ReadTextRequest,
} from './client/captioner';
export type {
  CaptionResult,
  DeviceRequest,
  DownloadPlan,
  LoadReport,
  OcrResult,
  PlannedFile,
  RolePlan,
  RoleReport,
  StorageReport,
} from './shared/api';
export * from './shared/errors';
export type { CaptionEvent, EventSink } from './shared/events';
export type { AdapterInfo, DeviceInfo } from './shared/device';
export { describeDevice } from './shared/device';
export type { DeviceKind, Dtype, DtypeChoice, ModelRole, ModelSpec } from './shared/model-spec';
export type { ModelSource } from './shared/model-source';
export { PRESETS, DEFAULT_PRESET_ID, presetBytes } from './shared/presets';
export type { Preset, PresetId } from './shared/presets';
export type { LoadableRole, RoleOverride, RoleOverrides } from './shared/roles';
export type { OcrLine, Box } from './shared/ocr';
export { DEFAULT_VIDEO_SAMPLING } from './shared/video-sampling';
export type { VideoSampling } from './shared/video-sampling';
export { CAPTION_STYLES, CAPTION_STYLE_IDS } from './capflow/styles';
export { DOMAINS, DOMAIN_IDS } from './capflow/spec';
export { RECORD_VERSION } from './shared/record';
export type {
  AgentTrace,
  CapflowOptions,
  CaptionMode,
  CaptionRecord,
  CaptionStyle,
  DomainId,
  DomainResult,
  JudgeResult,
  RecordRuntime,
} from './shared/record';
