/**
 * Runs the storage contract suites on PostgreSQL, plus what is specific to it.
 * The database comes from TEST_DATABASE_URL (default: the local test database).
 * Unreachable, the tests are skipped, except under CI where they fail.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import {
  describeConversationStore,
  describeDeliveryStore,
  describeMediaStore,
  describeMessageStore,
  describeUserStore,
} from '../contract/index.js';
import { describePostgresSpecifics } from './specifics.js';
import { DATABASE_URL, harnessFor, unreachableReason } from './test-support.js';

const unreachable = await unreachableReason(DATABASE_URL);
const target = DATABASE_URL.replace(/\/\/[^@/]*@/, '//***@');

if (unreachable !== null) {
  const message = `PostgreSQL at ${target} is unreachable (${unreachable}); set TEST_DATABASE_URL`;
  if (process.env.CI) {
    it('reaches PostgreSQL (required under CI)', () => {
      assert.fail(message);
    });
  } else {
    it('PostgreSQL storage', { skip: message }, () => {});
  }
} else {
  describeUserStore('postgres', harnessFor(DATABASE_URL));
  describeConversationStore('postgres', harnessFor(DATABASE_URL));
  describeMessageStore('postgres', harnessFor(DATABASE_URL));
  // Small batches: the same contract holds when a burst spans several transactions.
  describeMessageStore('postgres, batches of 7', harnessFor(DATABASE_URL, { maxBatch: 7 }));
  describeDeliveryStore('postgres', harnessFor(DATABASE_URL));
  describeDeliveryStore('postgres, batches of 7', harnessFor(DATABASE_URL, { maxBatch: 7 }));
  describeMediaStore('postgres', harnessFor(DATABASE_URL));
  describePostgresSpecifics(DATABASE_URL);
}
