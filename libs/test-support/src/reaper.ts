import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Waits for the test process to end, then runs its clean-ups, last registered first. A pid is
// killed only if its command line or environment still holds the marker it was registered with.
const SCRIPT = `
parent=$1; state=$2
alive() { [ -e "/proc/$1" ] && ! grep -q ') Z ' "/proc/$1/stat" 2>/dev/null; }
trap 'rm -rf "$(dirname "$state")"; exit 0' TERM
while alive "$parent"; do sleep 1; done
tac "$state" 2>/dev/null | while IFS=' ' read -r kind pid rest; do
  case "$kind" in
    kill) tr '\\0' '\\n' < "/proc/$pid/environ" 2>/dev/null | grep -qxF -- "$rest" && kill -9 "$pid" ;;
    run) bash -c "$pid $rest" >/dev/null 2>&1 ;;
  esac
done
rm -rf "$(dirname "$state")"
`;

/**
 * A watchdog for what a test starts outside its own process (database servers, brokers, service
 * processes): should the test process end without cleaning up (killed by a signal or a CI
 * timeout; jest's sandbox never runs a test's `process.on('exit')`), it kills and deletes them.
 * It runs detached, in a session of its own, and goes away with stop().
 */
export class Reaper {
  private readonly state: string;
  private readonly child: ChildProcess;

  constructor() {
    this.state = join(mkdtempSync(join(tmpdir(), 'crm-reaper-')), 'state');
    appendFileSync(this.state, '');
    this.child = spawn('bash', ['-c', SCRIPT, 'reaper', String(process.pid), this.state], {
      detached: true,
      stdio: 'ignore',
    });
    this.child.unref();
  }

  /** Kill `pid` if the test dies, provided its environment still holds `marker` (`NAME=value`). */
  killProcess(pid: number, marker: string): void {
    appendFileSync(this.state, `kill ${pid} ${marker}\n`);
  }

  /** Run this shell command (one line) if the test dies. */
  run(command: string): void {
    appendFileSync(this.state, `run ${command.replace(/\n/g, ' ')}\n`);
  }

  /** Everything was cleaned up: the watchdog goes away. */
  stop(): void {
    if (this.child.exitCode === null) this.child.kill('SIGTERM');
    rmSync(join(this.state, '..'), { recursive: true, force: true });
  }
}
