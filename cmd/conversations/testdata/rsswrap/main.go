// Command rsswrap runs a command and writes its peak resident memory (KiB)
// to a file. The tests measure the CLI's memory through it because Linux
// carries a process's peak RSS across exec: a command started straight from
// the test process (which holds the emulator's data) would report the test
// process's peak instead of its own. rsswrap is small, so the command's
// figure is its own.
//
// Usage: rsswrap OUTFILE COMMAND [ARG]...
package main

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: rsswrap OUTFILE COMMAND [ARG]...")
		os.Exit(2)
	}
	cmd := exec.Command(os.Args[2], os.Args[3:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	err := cmd.Run()
	if cmd.ProcessState == nil {
		fmt.Fprintln(os.Stderr, "rsswrap:", err)
		os.Exit(2)
	}
	ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if ru != nil {
		if err := os.WriteFile(os.Args[1], []byte(fmt.Sprint(ru.Maxrss)), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "rsswrap:", err)
			os.Exit(2)
		}
	}
	os.Exit(cmd.ProcessState.ExitCode())
}
