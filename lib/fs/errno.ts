// The errno classes ovcache acts on, in one place.

export function errnoCode(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The file system refuses writes here: a read-only volume or no permission. */
const READ_ONLY = new Set(['EROFS', 'EACCES', 'EPERM']);
/** The volume has no room: the disk or the user's quota is full. */
const NO_SPACE = new Set(['ENOSPC', 'EDQUOT']);

export function isReadOnlyError(error: unknown): boolean {
  const code = errnoCode(error);
  return code !== undefined && READ_ONLY.has(code);
}

export function isNoSpaceError(error: unknown): boolean {
  const code = errnoCode(error);
  return code !== undefined && NO_SPACE.has(code);
}

/** Writing cannot succeed by waiting: read-only, no permission, or no space. */
export function isUnwritableError(error: unknown): boolean {
  return isReadOnlyError(error) || isNoSpaceError(error);
}
