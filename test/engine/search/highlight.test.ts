// Search-result highlighting: whole words only, matched as the keyword index matches them.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { queryMatcher } from '../../../src/engine/search/highlight';

const marked = (query: string, text: string) => queryMatcher(query).ranges(text).map(([a, b]) => text.slice(a, b));

test('whole words only: "sleep" does not light up inside "asleep"', () => {
  assert.deepEqual(marked('sleep ', 'A walk makes it easier to fall asleep. Sleep well; sleeping too.'), ['Sleep', 'sleeping']);
});

test('stems match as in keyword search: "baking" finds "Bake", "commits" finds "commit"', () => {
  assert.deepEqual(marked('sourdough bread baking ', 'Bake in a preheated Dutch oven, then let the loaf cool.'), ['Bake']);
  assert.deepEqual(marked('undo commits ', 'Undo the last commit with git reset.'), ['Undo', 'commit']);
});

test('stopwords are not highlighted', () => {
  assert.deepEqual(marked('the way to fall asleep ', 'It is the way you fall asleep to the rain.'), ['way', 'fall', 'asleep']);
});

test('Korean: a word with a particle matches its stem', () => {
  assert.deepEqual(marked('기차 ', '부산까지 기차가 빠르다. 기차를 탔다.'), ['기차가', '기차를']);
});

test('the last word of a query being typed matches as a prefix, whole word highlighted', () => {
  assert.deepEqual(marked('docker pru', 'Run docker system prune to free space.'), ['docker', 'prune']);
  // A finished query (ending in a space) does not.
  assert.deepEqual(marked('docker pru ', 'Run docker system prune to free space.'), ['docker']);
  // Too short a prefix lights up nothing by itself.
  assert.deepEqual(marked('pr', 'Run docker system prune.'), []);
});

test('ranges are ascending offsets into the text, including non-BMP text around them', () => {
  const text = '😀 sleep 😀 sleep';
  const ranges = queryMatcher('sleep').ranges(text);
  assert.deepEqual(ranges, [[3, 8], [12, 17]]);
});
