import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { residentBytes } from '../../../src/util/rss.js';

test('residentBytes agrees with process.memoryUsage.rss() and follows allocations', () => {
  const a = residentBytes();
  const b = residentBytes();
  const node = process.memoryUsage.rss();
  assert.ok(a > 1 << 20, `rss ${a}`);
  assert.ok(Math.abs(b - node) / node < 0.2, `statm ${b} vs node ${node}`);
  const big = Buffer.alloc(64 << 20, 1); // touched: resident
  const c = residentBytes();
  assert.ok(c - b > 48 << 20, `grew by ${c - b} after touching 64 MiB`);
  assert.is(big[123], 1);
});

test.run();
