// What /proc says about a process and its children (Linux): the tree under a pid, which of them
// holds a listening socket, and how much memory one uses. tsx runs a script in a child node
// process, so the pid a test spawned is not the server's.
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

/**
 * SIGKILL to `pid` and every process under it, parents first so that none restarts a child;
 * resolves once all have left the process table (or after 5 s). A server started through tsx's
 * CLI runs in a child of the pid the test spawned, which a SIGKILL to that pid alone leaves running.
 */
export async function killTree(pid: number): Promise<void> {
  const tree = [pid, ...descendants(pid)];
  for (const member of tree) {
    try {
      process.kill(member, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  for (let waited = 0; waited < 5000 && tree.some((member) => isRunning(member)); waited += 20) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Still running: present and not a zombie waiting for its parent. */
function isRunning(pid: number): boolean {
  try {
    return !/^State:\s+Z/m.test(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}
