// Loads the stand-in (its version set by the parent through OV_STUB_VERSION) and prints one JSON
// line: {"numbering": "legacy" | "modern"} when the package accepts it, {"refused": {code}} when not.
import { loadOpenVINO } from '../../lib/index';

async function main(): Promise<void> {
  const libraryPath = process.argv[2];
  if (!libraryPath) throw new Error('usage: load-child.js <libopenvino_c.so>');
  try {
    const ov = await loadOpenVINO({ libraryPath });
    console.log(JSON.stringify({ build: ov.version.buildNumber, numbering: ov.native.elementNumbering }));
  } catch (error) {
    const { code, message } = error as { code?: string; message: string };
    console.log(JSON.stringify({ refused: { code, message } }));
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
