// The demo analysis: H→ZZ*→4ℓ on the sample data made by `node dist/examples/make-data.js`
// (examples/data/<component>/*.root). Run it with `npx heppy build`; `-o minLeptons=3` changes a
// parameter (and so every chunk's key). Cross-sections in pb, luminosities in 1/pb: `heppy yields`
// and `heppy report` normalise MC to the data's 138/fb.
import { Analyzer, Config, DataComponent, MCComponent, Sequence, getOption } from 'heppy';
import { LeptonSelector } from './examples/analyzers/lepton-selector.js';
import { ZZSelector } from './examples/analyzers/zz-selector.js';

const dataA = new DataComponent('data_period_A', { files: 'examples/data/data_period_A/*.root', intLumi: 69_000 });
dataA.splitFactor = 5; // 10 files → 5 chunks of 2 files

const dataB = new DataComponent('data_period_B', { files: 'examples/data/data_period_B/*.root', intLumi: 69_000 });
dataB.splitFactor = dataB.files.length; // one chunk per file

const ggH = new MCComponent('ggH_125', { files: 'examples/data/ggH_125/*.root', xSection: 0.0133, nGenEvents: 200_000 });
ggH.splitFactor = 10;

// Normalised by the sum of its generator weights (some are negative) rather than nGenEvents.
const zz = new MCComponent('ZZ', { files: 'examples/data/ZZ/*.root', xSection: 1.256, nGenEvents: 300_000, genWeightBranch: 'EventWeight' });
zz.splitFactor = 5; // 15 files → 5 chunks of 3 files

export default new Config({
  components: [dataA, dataB, ggH, zz],
  sequence: new Sequence(
    new Analyzer(LeptonSelector, {
      minLeptons: Number(getOption('minLeptons', '4')),
      muonPt: 5, electronPt: 7, maxEta: 2.5, maxIso: 0.35,
    }),
    new Analyzer(ZZSelector, { z1Window: [40, 120], z2Window: [12, 120], minM4l: 70 }),
  ),
  tree: 'events',
});
