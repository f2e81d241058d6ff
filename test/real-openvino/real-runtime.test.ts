// Integration tests against a REAL OpenVINO runtime: `npm run test:openvino` with
// OPENVINO_LIB_PATH pointing at libopenvino_c.so (or its folder). Without one, every test
// here is skipped and the run says so, with the reason, at the top and the bottom.
// The cases are lib/selftest/cases.ts, the same ones `ovcache selftest` runs on every device;
// here they run on OVCACHE_TEST_DEVICE (default CPU).
import fs from 'node:fs';
import path from 'node:path';
import { loadOpenVINO, type OpenVINO } from '../../lib/index';
import { SelftestSkip } from '../../lib/selftest/case';
import { SELFTEST_CASES } from '../../lib/selftest/cases';
import { writeAll } from '../../lib/selftest/fixture-models';
import { makeTempDir, removeDir } from '../helpers/paths';

function realRuntimeOrReason(): { ov?: Promise<OpenVINO>; reason?: string } {
  const where = process.env.OPENVINO_LIB_PATH;
  if (!where) return { reason: 'OPENVINO_LIB_PATH is not set. Point it at a real libopenvino_c.so (e.g. from `pip install openvino`).' };
  if (!fs.existsSync(where)) return { reason: `OPENVINO_LIB_PATH=${where} does not exist.` };
  return { ov: loadOpenVINO({ libraryPath: where }) };
}

/** Every test under `suite`, nested suites included. */
function countTests(suite: Mocha.Suite | undefined): number {
  if (!suite) return 0;
  return suite.tests.length + suite.suites.reduce((n, s) => n + countTests(s), 0);
}

describe('real OpenVINO runtime', function () {
  const device = process.env.OVCACHE_TEST_DEVICE || 'CPU';
  let tests = 0;
  let ov: OpenVINO;
  let tmp: string;
  let caseNumber = 0;
  let skipReason: string | undefined;

  before(async function () {
    tests = countTests(this.test?.parent);
    const found = realRuntimeOrReason();
    skipReason = found.reason;
    if (found.ov) {
      ov = await found.ov;
      if (ov.isStandIn) skipReason = `OPENVINO_LIB_PATH points at the ovcache test stand-in (${ov.libraryPath}), not OpenVINO.`;
    }
    if (skipReason) {
      console.log(`\n  SKIPPED: all ${tests} real-OpenVINO tests. Reason: ${skipReason}\n`);
      this.skip();
    }
    console.log(`\n  Using OpenVINO ${ov.version.buildNumber} from ${ov.libraryPath}, device ${device}\n`);
    tmp = makeTempDir();
    writeAll(path.join(tmp, 'fixtures'));
  });
  after(() => {
    if (tmp) removeDir(tmp);
    if (skipReason) console.log(`\n  REAL OPENVINO SUITE SKIPPED (${tests} tests): ${skipReason}\n`);
  });

  for (const c of SELFTEST_CASES) {
    it(c.name, async function () {
      const caseTmp = path.join(tmp, `case-${++caseNumber}`);
      fs.mkdirSync(caseTmp);
      try {
        await c.run({ ov, device, fixtures: path.join(tmp, 'fixtures'), tmp: caseTmp });
      } catch (error) {
        if (error instanceof SelftestSkip) this.skip();
        throw error;
      }
    });
  }
});
