// `freezer-api --help` and `--version`. The settings part is written from SETTINGS, so a new
// setting is in the help once it is in src/config.ts.
import { readFileSync } from 'node:fs';
import { SETTINGS, type Setting } from '../config';
import { PACKAGE_JSON_PATH } from '../paths';

export function version(): string {
  return (JSON.parse(readFileSync(PACKAGE_JSON_PATH, 'utf8')) as { version: string }).version;
}

const COMMAND_LINES: [string, string][] = [
  ['serve', 'serve the API (the command when none is given)'],
  ['migrate latest', 'apply the pending database migrations (also `migrate` alone)'],
  ['migrate status', 'list the applied and pending migrations, and what a rollback would undo'],
  ['migrate rollback', 'undo the last batch of migrations (the ones one `migrate latest` applied)'],
  ['migrate rollback --all', 'undo every migration: drops every table'],
  ['policy', 'print the policy rules in effect, as YAML'],
  ['backup-db FILE', 'copy the SQLite database to FILE (a new file), consistently, while it serves'],
];

const EXIT_STATUS = [
  '0  done',
  '1  failed while running: requests cut at shutdown, a migration or a copy that failed',
  '2  could not start: a bad command line or setting, a database that cannot be opened,',
  '   pending migrations with --no-migrate',
];

export function helpText(): string {
  return [
    `freezer-api ${version()}: the OpenStack Freezer API service`,
    '',
    'usage: freezer-api [COMMAND] [OPTIONS]',
    '',
    'commands:',
    ...COMMAND_LINES.map(([command, meaning]) => `  ${command.padEnd(24)}${meaning}`),
    '',
    'options:',
    `  ${'-h, --help'.padEnd(24)}print this help`,
    `  ${'--version'.padEnd(24)}print the version`,
    '',
    'settings (a flag wins over its environment variable, which wins over the default;',
    'every command reads them all, and refuses to run with a bad one):',
    ...Object.values(SETTINGS).flatMap((setting: Setting) => [`  ${settingLine(setting)}`, `      ${setting.meaning}`]),
    '',
    'exit status:',
    ...EXIT_STATUS.map((line) => `  ${line}`),
    '',
  ].join('\n');
}

/** `--port PORT, FREEZER_API_PORT=PORT (default 9090)` */
function settingLine(setting: Setting): string {
  const flag = setting.flag && (setting.switch ? `--${setting.flag}, ` : `--${setting.flag} ${setting.value}, `);
  const fallback = setting.shownDefault ?? setting.default;
  return `${flag ?? ''}${setting.env}=${setting.value}${fallback === undefined ? '' : ` (default ${fallback})`}`;
}
