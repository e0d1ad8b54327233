export {
  ARCHIVE_FORMAT,
  ARCHIVE_VERSION,
  BackupError,
  backupDatabase,
  nonEmptyCollections,
  readHeader,
  restoreDatabase,
  type ArchiveHeader,
  type BackupResult,
  type Consistency,
  type RestoreResult,
} from './archive';
export { ARCHIVE_NAME, BACKUP_LEASE, DailyBackup, archiveFileName, dueDay, pruneArchives, resolveArchivePath } from './daily';
