// What a self-test case is: a name and a function that throws on a wrong result. The same cases
// run under mocha (test/real-openvino/, test/release-matrix/) and in `ovcache selftest`.
import type { OpenVINO } from '../openvino/openvino';

export interface SelftestContext {
  ov: OpenVINO;
  /** The device under test ("CPU", "GPU", ...). */
  device: string;
  /** Folder holding the models of fixture-models.ts (writeAll). */
  fixtures: string;
  /** A scratch folder of this case alone. */
  tmp: string;
}

/** Figures a case measured, printed with its result (e.g. cold and warm compile times). */
export type CaseDetails = Record<string, number | string | boolean>;

export interface SelftestCase {
  name: string;
  run(ctx: SelftestContext): Promise<void | CaseDetails>;
}

/** Thrown by a case that cannot run here (the device lacks what it needs): reported as skipped, with the reason. */
export class SelftestSkip extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'SelftestSkip';
  }
}
