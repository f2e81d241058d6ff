// Identity of a model's files (.xml and its .bin): changes when a file is replaced or rewritten.
import { fileIdentity, identityText } from '../fs/file-identity';
import { modelFilesOf } from '../fs/model-files';

export interface FileStamp {
  stamp: string;
  bytes: number;
}

export async function fileStamp(model: string): Promise<FileStamp> {
  const ids = await Promise.all(modelFilesOf(model).map(fileIdentity));
  const bytes = ids.reduce((n, id) => n + (id ? Number(id.size) : 0), 0);
  return { stamp: ids.map((id) => (id ? identityText(id) : '-')).join('|'), bytes };
}
