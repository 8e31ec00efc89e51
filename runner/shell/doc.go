// Package shell is the runner.Runner that runs scripts the way CodeBuild does: bash syntax,
// interpreted by mvdan.cc/sh/v3 (no bash needed on the machine), running real programs found
// in PATH, in a real working directory, with the given environment.
//
// Shell.Run runs one script in a fresh shell. A Session is one long-lived shell whose
// successive Run calls share state (cd, variables, exported or not, functions, set -e,
// background jobs), as CodeBuild's buildspec version 0.2 runs all the commands of a build in
// one shell instance.
//
// Results and errors: a script's exit status is data (Result.ExitCode), including 127 for a
// command not found and 126 for one that cannot be executed; an error means the script could
// not run: a syntax error (its message says line:column), a working directory that does not
// exist, or a cancelled context. A Timeout is data too: Result.TimedOut with TimeoutExitCode.
//
// Process trees: every program runs in its own process group. A timeout or a cancelled
// context sends SIGKILL to the group of every program the command started, so children and
// grandchildren die with it; Shell.Run and Session.Close also kill what is left of groups
// whose leader already exited (daemons, orphans). Programs that create their own session or
// process group (setsid) escape this, as they escape a shell's job control.
//
// Time: Result.Duration and Command.Timeout use Options.Clock (real by default), so a manual
// clock can trigger timeouts; the programs themselves run in real time.
//
// Concurrency: a Shell is safe for concurrent use. A Session runs one command at a time.
// Output is written to Command.Stdout and Stderr as it is produced (use runner.LineWriter to
// get lines), one write at a time. Background jobs keep writing to the writers of the command
// that started them until they end or the session closes.
package shell
