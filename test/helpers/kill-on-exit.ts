import type { ChildProcess } from 'node:child_process';

/**
 * Child processes (servers a test started) that must not outlive the test process, however it
 * ends: afterAll stops them normally; this catches a run that fails or is interrupted first.
 * `cleanup` (removing a scratch folder) runs when the child exits either way.
 */

const children = new Map<ChildProcess, (() => void) | undefined>();
let registered = false;

export function killOnExit(child: ChildProcess, cleanup?: () => void): void {
  register();
  children.set(child, cleanup);
  child.once('exit', () => {
    children.delete(child);
    cleanup?.();
  });
}

function register(): void {
  if (registered) return;
  registered = true;
  const killAll = () => {
    for (const [child, cleanup] of children) {
      child.kill('SIGKILL');
      cleanup?.();
    }
  };
  process.once('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      killAll();
      process.exit(1);
    });
  }
}
