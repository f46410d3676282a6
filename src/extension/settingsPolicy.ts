// What the client does after the service applied a settings change. The service owns the table of
// what each change needs (service/settingsEffects.ts) and answers its effect; this only turns that
// into the client's step. No vscode import: tested headless (test/extension/settingsPolicy.test.ts).
import type { SettingEffect } from '../protocol/protocol';

/** sync: sync every folder (with progress); refresh: views showing results search again. */
export type ClientStep = 'none' | 'refresh' | 'sync';

/** `upgrading`: a new model is being prepared in the background (it switches over by itself). */
export function clientStepFor(effect: SettingEffect, upgrading: boolean): ClientStep {
  switch (effect) {
    case 'reopen':
    case 'resync':
      return 'sync';
    // A model that took over at once (nothing was serving) starts on its own store: fill it.
    case 'reembed':
      return upgrading ? 'none' : 'sync';
    case 'research':
      return 'refresh';
    case 'nothing':
      return 'none';
  }
}
