// The part of better-sqlite3 used directly (Knex drives it everywhere else): opening a file,
// pragmas and the online backup. The package ships no types.
declare module 'better-sqlite3' {
  namespace Database {
    interface Options {
      readonly?: boolean;
      fileMustExist?: boolean;
      /** How long to wait for another connection's lock, in ms. */
      timeout?: number;
    }
    interface BackupProgress {
      totalPages: number;
      remainingPages: number;
    }
    interface BackupOptions {
      /** Called after each step; returns how many pages the next step copies. */
      progress?: (progress: BackupProgress) => number | undefined;
    }
  }
  class Database {
    constructor(filename: string, options?: Database.Options);
    pragma(source: string, options?: { simple?: boolean }): unknown;
    backup(destination: string, options?: Database.BackupOptions): Promise<Database.BackupProgress>;
    close(): void;
  }
  export = Database;
}
