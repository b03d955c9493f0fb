// What /proc says about a process and its children (Linux): the tree under a pid, which of them
// holds a listening socket, and how much memory one uses. The process a test spawned need not be
// the server itself (a wrapper such as tsx's CLI runs the script in a child of its own).
import fs from 'node:fs';

/** `pid`'s children, grandchildren and so on, parents before their children. */
export function descendants(pid: number): number[] {
  const found: number[] = [];
  const visit = (parent: number) => {
    let tasks: string[];
    try {
      tasks = fs.readdirSync(`/proc/${parent}/task`);
    } catch {
      return; // exited meanwhile
    }
    for (const task of tasks) {
      let children = '';
      try {
        children = fs.readFileSync(`/proc/${parent}/task/${task}/children`, 'utf8');
      } catch {
        continue;
      }
      for (const child of children.split(' ').filter(Boolean).map(Number)) {
        found.push(child);
        visit(child);
      }
    }
  };
  visit(pid);
  return found;
}

/** The inode of the IPv4 socket listening on `port` (from /proc/net/tcp), if any. */
function listeningInode(port: number): string | undefined {
  const portHex = port.toString(16).toUpperCase().padStart(4, '0');
  for (const line of fs.readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    // fields: sl, local_address, rem_address, st (0A is LISTEN), …, inode at 9
    if (fields[1]?.endsWith(`:${portHex}`) && fields[3] === '0A') return fields[9];
  }
  return undefined;
}

/**
 * The process, `root` or one below it, that has the socket listening on `port` open: the server
 * itself, whichever wrapper started it. Throws when none has.
 */
export function listeningPid(root: number, port: number): number {
  const inode = listeningInode(port);
  if (inode === undefined) throw new Error(`nothing listens on port ${port}`);
  for (const pid of [root, ...descendants(root)]) {
    let fds: string[];
    try {
      fds = fs.readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        if (fs.readlinkSync(`/proc/${pid}/fd/${fd}`) === `socket:[${inode}]`) return pid;
      } catch {
        // closed meanwhile
      }
    }
  }
  throw new Error(`no process under ${root} holds the socket listening on port ${port}`);
}

/** Resident set size (VmRSS) of `pid`, in bytes. */
export function rssBytes(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]) * 1024;
}
