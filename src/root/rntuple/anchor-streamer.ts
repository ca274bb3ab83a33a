// The TStreamerInfo of ROOT::RNTuple (the anchor class, version 2), as ROOT 6.35 writes it;
// extracted with tools/extract-streamers.ts from ../shared/data/root/rntuple/test_1jag_int_float_rntuple_v1-0-0-0.root.
// jsroot reads the anchor through it; every file holding an RNTuple carries it. Do not edit by hand.
import type { StreamerRecord } from '../write/streamer-data.js';
import type { RawRecord } from '../write/streamer-records.js';

const record: StreamerRecord = {
 "name": "ROOT::RNTuple",
 "named": "QAAAGwABAAEAAAAAAAEAAA1ST09UOjpSTlR1cGxlAA==",
 "checksum": 1268915189,
 "classVersion": 2,
 "elements": [
  {
   "cls": "TStreamerBasicType",
   "bytes": "QAAAWgACQAAAVAAEQAAAGwABAAEAAAAAAAAAAA1mVmVyc2lvbkVwb2NoAAAAAAwAAAACAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA51bnNpZ25lZCBzaG9ydA=="
  },
  {
   "cls": "TStreamerBasicType",
   "bytes": "QAAAWgACQAAAVAAEQAAAGwABAAEAAAAAAAAAAA1mVmVyc2lvbk1ham9yAAAAAAwAAAACAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA51bnNpZ25lZCBzaG9ydA=="
  },
  {
   "cls": "TStreamerBasicType",
   "bytes": "QAAAWgACQAAAVAAEQAAAGwABAAEAAAAAAAAAAA1mVmVyc2lvbk1pbm9yAAAAAAwAAAACAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA51bnNpZ25lZCBzaG9ydA=="
  },
  {
   "cls": "TStreamerBasicType",
   "bytes": "QAAAWgACQAAAVAAEQAAAGwABAAEAAAAAAAAAAA1mVmVyc2lvblBhdGNoAAAAAAwAAAACAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA51bnNpZ25lZCBzaG9ydA=="
  },
  {
   "cls": "TStreamerBasicType",
   "bytes": "QAAAUwACQAAATQAEQAAAGQABAAEAAAAAAAAAAAtmU2Vla0hlYWRlcgAAAAARAAAACAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAJVUxvbmc2NF90"
  },
  {
   "cls": "TStreamerBasicType",
   "bytes": "QAAAVQACQAAATwAEQAAAGwABAAEAAAAAAAAAAA1mTkJ5dGVzSGVhZGVyAAAAABEAAAAIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAlVTG9uZzY0X3Q="
  },
  {
   "cls": "TStreamerBasicType",
   "bytes": "QAAAUgACQAAATAAEQAAAGAABAAEAAAAAAAAAAApmTGVuSGVhZGVyAAAAABEAAAAIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAlVTG9uZzY0X3Q="
  },
  {
   "cls": "TStreamerBasicType",
   "bytes": "QAAAUwACQAAATQAEQAAAGQABAAEAAAAAAAAAAAtmU2Vla0Zvb3RlcgAAAAARAAAACAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAJVUxvbmc2NF90"
  },
  {
   "cls": "TStreamerBasicType",
   "bytes": "QAAAVQACQAAATwAEQAAAGwABAAEAAAAAAAAAAA1mTkJ5dGVzRm9vdGVyAAAAABEAAAAIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAlVTG9uZzY0X3Q="
  },
  {
   "cls": "TStreamerBasicType",
   "bytes": "QAAAUgACQAAATAAEQAAAGAABAAEAAAAAAAAAAApmTGVuRm9vdGVyAAAAABEAAAAIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAlVTG9uZzY0X3Q="
  },
  {
   "cls": "TStreamerBasicType",
   "bytes": "QAAAUwACQAAATQAEQAAAGQABAAEAAAAAAAAAAAtmTWF4S2V5U2l6ZQAAAAARAAAACAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAJVUxvbmc2NF90"
  }
 ]
};

/** The record in the form RootFileWriter.addStreamerInfos takes. */
export const anchorStreamer: RawRecord = {
  name: record.name, checksum: record.checksum, classVersion: record.classVersion,
  named: Buffer.from(record.named, 'base64'),
  elements: record.elements.map((e) => ({ cls: e.cls, bytes: Buffer.from(e.bytes, 'base64') })),
};
