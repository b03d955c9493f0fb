// The one place that reads the command line: which command, its arguments, and the settings'
// flags (the settings themselves, their variables and defaults, are in src/config.ts).
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { ConfigError, SETTINGS, type Setting, type SettingFlags, type SettingName } from '../config';

export type MigrateAction = 'latest' | 'status' | 'rollback';

export type Invocation =
  | { command: 'help' }
  | { command: 'version' }
  | { command: 'serve'; flags: SettingFlags }
  | { command: 'policy'; flags: SettingFlags }
  | { command: 'migrate'; action: MigrateAction; all: boolean; flags: SettingFlags }
  | { command: 'backup-db'; file: string; flags: SettingFlags };

export type Command = Exclude<Invocation['command'], 'help' | 'version'>;

/** What the command line asked for cannot be done: one line, exit 2, as for a bad setting. */
export class UsageError extends ConfigError {
  constructor(problem: string) {
    super(`${problem} (freezer-api --help lists the commands and options)`);
  }
}

export const COMMANDS: readonly Command[] = ['serve', 'migrate', 'policy', 'backup-db'];
export const MIGRATE_ACTIONS: readonly MigrateAction[] = ['latest', 'status', 'rollback'];

/** Settings only one command reads: given to another, they are a mistake worth saying. */
const SETTING_COMMANDS: Partial<Record<SettingName, Command>> = { noMigrate: 'serve' };

const FLAGGED = (Object.entries(SETTINGS) as [SettingName, Setting][]).filter(([, s]) => s.flag !== undefined);

const OPTIONS: ParseArgsOptionsConfig = {
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
  all: { type: 'boolean' },
  ...Object.fromEntries(
    FLAGGED.map(([, s]): [string, ParseArgsOptionsConfig[string]] => [s.flag!, { type: s.switch ? 'boolean' : 'string' }]),
  ),
};

/** `freezer-api [COMMAND [ARGS]] [OPTIONS]`, options anywhere; no command is `serve`. */
export function parseCommandLine(argv: readonly string[]): Invocation {
  const { values, positionals } = parse(argv);
  if (values.help) return { command: 'help' };
  if (values.version) return { command: 'version' };
  const [command = 'serve', ...args] = positionals;
  if (!isCommand(command)) throw new UsageError(`unknown command "${command}"`);
  const flags = settingFlags(values, command);
  if (values.all && command !== 'migrate') throw new UsageError('--all belongs to `migrate rollback`');
  switch (command) {
    case 'migrate':
      return migrateInvocation(args, values.all === true, flags);
    case 'backup-db':
      if (args.length !== 1) throw new UsageError('backup-db takes one argument, the file to write the copy to');
      return { command, file: args[0]!, flags };
    default:
      if (args.length > 0) throw new UsageError(`${command} takes no argument, not "${args[0]}"`);
      return { command, flags };
  }
}

type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

function parse(argv: readonly string[]): { values: Values; positionals: string[] } {
  try {
    return parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    // Node's messages go on to advise on `--` in a second sentence; the first says it all.
    const first = ((err as Error).message.split('. ')[0] ?? '').replace(/\.$/, '');
    throw new UsageError(first.charAt(0).toLowerCase() + first.slice(1));
  }
}

const isCommand = (word: string): word is Command => (COMMANDS as readonly string[]).includes(word);

function settingFlags(values: Values, command: Command): SettingFlags {
  const flags: SettingFlags = {};
  for (const [name, setting] of FLAGGED) {
    const value = values[setting.flag!];
    if (value === undefined) continue;
    const only = SETTING_COMMANDS[name];
    if (only && only !== command) throw new UsageError(`--${setting.flag} belongs to \`${only}\``);
    flags[name] = typeof value === 'boolean' ? (value ? '1' : '0') : String(value);
  }
  return flags;
}

function migrateInvocation(args: string[], all: boolean, flags: SettingFlags): Invocation {
  // `migrate` alone applies the pending migrations, as `npm run migrate` always has.
  const [action = 'latest', ...extra] = args;
  if (!(MIGRATE_ACTIONS as readonly string[]).includes(action)) {
    throw new UsageError(`unknown migrate action "${action}": latest, status or rollback`);
  }
  if (extra.length > 0) throw new UsageError(`migrate ${action} takes no further argument, not "${extra[0]}"`);
  if (all && action !== 'rollback') throw new UsageError('--all belongs to `migrate rollback`');
  return { command: 'migrate', action: action as MigrateAction, all, flags };
}
