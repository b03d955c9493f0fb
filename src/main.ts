#!/usr/bin/env node
// The command line: `freezer-api [serve|migrate|policy|backup-db] [OPTIONS]`, `--help` for the
// rest. Parsed in src/cli/command-line.ts; each command in its own file there.
import { createPolicy, renderPolicy } from './auth/policy';
import { backupDb } from './cli/backup-db';
import { parseCommandLine, type Invocation } from './cli/command-line';
import { failureLine } from './cli/failure';
import { helpText, version } from './cli/help';
import { migrate } from './cli/migrate';
import { serve } from './cli/serve';
import { loadConfig } from './config';

const DEBUG_LEVELS = new Set(['debug', 'trace']);

const print = (line: string) => void process.stdout.write(`${line}\n`);

async function run(invocation: Invocation): Promise<void> {
  switch (invocation.command) {
    case 'help':
      return void process.stdout.write(helpText());
    case 'version':
      return print(`freezer-api ${version()}`);
    case 'serve':
      return serve(loadConfig(invocation.flags));
    case 'policy':
      return void process.stdout.write(renderPolicy(createPolicy(loadConfig(invocation.flags).policyRules)));
    case 'migrate':
      return migrate(invocation.action, invocation.all, loadConfig(invocation.flags), print);
    case 'backup-db':
      return backupDb(invocation.file, loadConfig(invocation.flags), print);
  }
}

function main(argv: string[]): void {
  let command: Invocation['command'] | undefined;
  Promise.resolve()
    .then(() => {
      const invocation = parseCommandLine(argv);
      command = invocation.command;
      return run(invocation);
    })
    .catch((err: unknown) => {
      // One line, never a stack: what failed, which setting to look at, and why.
      const { line, exitCode } = failureLine(command, err);
      process.stderr.write(`${line}\n`);
      // The stack is for whoever debugs the server itself (the settings may be what failed, so
      // the level is read as given).
      if (DEBUG_LEVELS.has(process.env.FREEZER_API_LOG_LEVEL ?? '') && err instanceof Error && err.stack) {
        process.stderr.write(`${err.stack}\n`);
      }
      process.exit(exitCode);
    });
}

// A reader that stopped reading (`freezer-api migrate status | head -1`) wanted no more: no stack.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
  process.exit(0);
});

main(process.argv.slice(2));
