// One table of what a change of each service setting needs, owned by the service: it acts on it
// in configure and returns the strongest effect, so the client only shows prompts and syncs.
// Typed over every ServiceConfig field: a new setting does not compile until it is classified.
import { SETTING_EFFECTS, type ServiceConfig, type SettingEffect } from '../protocol/protocol';

/**
 * - nothing: no index or result changes (a model loaded on demand, where models come from).
 * - research: the same query ranks differently; the index stays (client: re-run shown searches).
 * - resync: which files are notes changed; the service reopens the folders under the new rules
 *   (client: sync them).
 * - reembed: the embedding model may change; the service prepares its index beside the current
 *   one, or switches at once when nothing can keep serving (client: sync unless an upgrade runs).
 * - reopen: the stores themselves change; every folder is reopened (client: sync them).
 */
export const EFFECT_OF_SETTING: { readonly [K in keyof Required<ServiceConfig>]: SettingEffect } = {
  modelsDir: 'reembed',
  cacheDir: 'reembed',
  embeddingModel: 'reembed',
  pooling: 'reembed',
  // Downloads and the hub only matter for a model not at hand: the service then starts its
  // download in the background (an upgrade), and nothing the client has changes.
  allowDownloads: 'nothing',
  remoteHost: 'nothing',
  fillMaskModel: 'nothing',
  crossEncoderModel: 'research',
  semanticWeight: 'research',
  include: 'resync',
  exclude: 'resync',
  maxFileBytes: 'resync',
  // Trust decides whether symbolic links inside the folder are followed: which files are notes.
  trusted: 'resync',
};

export interface SettingsChange {
  /** The strongest effect of the fields that changed ('reopen' for a first configuration). */
  effect: SettingEffect;
  changed: (keyof ServiceConfig)[];
}

export function settingsChange(before: ServiceConfig | null, after: ServiceConfig): SettingsChange {
  if (!before) return { effect: 'reopen', changed: Object.keys(EFFECT_OF_SETTING) as (keyof ServiceConfig)[] };
  const changed = (Object.keys(EFFECT_OF_SETTING) as (keyof ServiceConfig)[]).filter((k) => JSON.stringify(before[k] ?? null) !== JSON.stringify(after[k] ?? null));
  const effect = changed.reduce<SettingEffect>((e, k) => strongest(e, EFFECT_OF_SETTING[k]), 'nothing');
  return { effect, changed };
}

export function strongest(a: SettingEffect, b: SettingEffect): SettingEffect {
  return SETTING_EFFECTS.indexOf(a) >= SETTING_EFFECTS.indexOf(b) ? a : b;
}

/** Whether `e` needs at least `floor` (effects are ordered weakest first). */
export function atLeast(e: SettingEffect, floor: SettingEffect): boolean {
  return SETTING_EFFECTS.indexOf(e) >= SETTING_EFFECTS.indexOf(floor);
}
