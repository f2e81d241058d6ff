// The files of a model: an OpenVINO IR is an .xml with its weights in the .bin beside it;
// any other model format is one file.

const XML = /\.xml$/i;

export function isIrXml(file: string): boolean {
  return XML.test(file);
}

/** The .bin beside an .xml; undefined for a file that is not an IR. */
export function weightsFileOf(xml: string): string | undefined {
  return isIrXml(xml) ? xml.replace(XML, '.bin') : undefined;
}

/** The model file, then its weights file when it is an IR (whether or not that exists). */
export function modelFilesOf(model: string): string[] {
  const bin = weightsFileOf(model);
  return bin === undefined ? [model] : [model, bin];
}
