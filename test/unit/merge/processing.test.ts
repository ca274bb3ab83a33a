// processingYaml: the processing.yaml a merge writes (heppy_hadd's: files merged and good files).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { processingYaml } from '../../../src/merge/processing.js';

test('nfiles and ngoodfiles under processing:', () => {
  assert.is(processingYaml(12, 11), 'processing:\n  nfiles: 12\n  ngoodfiles: 11\n');
  assert.is(processingYaml(0, 0), 'processing:\n  nfiles: 0\n  ngoodfiles: 0\n');
});

test.run();
