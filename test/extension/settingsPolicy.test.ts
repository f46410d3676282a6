// The client's step after the service applied a settings change (it answers the effect).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { SETTING_EFFECTS } from '../../src/protocol/protocol';
import { clientStepFor } from '../../src/extension/settingsPolicy';

test('the client syncs on resync and reopen, on reembed only when no upgrade prepares the model, and refreshes on research', () => {
  assert.equal(clientStepFor('nothing', false), 'none');
  assert.equal(clientStepFor('research', false), 'refresh');
  assert.equal(clientStepFor('resync', true), 'sync');
  assert.equal(clientStepFor('reopen', false), 'sync');
  assert.equal(clientStepFor('reembed', false), 'sync', 'a model that took over at once starts on an empty store');
  assert.equal(clientStepFor('reembed', true), 'none', 'the upgrade indexes in the background and switches by itself');
  for (const e of SETTING_EFFECTS) assert.ok(['none', 'refresh', 'sync'].includes(clientStepFor(e, false)), e);
});
