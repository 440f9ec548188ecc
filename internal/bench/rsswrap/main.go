// Command rsswrap runs the provider binary beside it as a child, passing its
// standard streams through, and appends the child's peak resident set (in
// KiB) to the file named by C0221_RSS_FILE when it exits. The benchmarks put
// it where terraform expects the provider, to measure the provider alone.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"
)

func main() {
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	child := exec.Command(filepath.Join(filepath.Dir(self), "real-provider"), os.Args[1:]...)
	child.Stdin, child.Stdout, child.Stderr = os.Stdin, os.Stdout, os.Stderr
	signal.Ignore(syscall.SIGINT)
	err = child.Run()

	if path := os.Getenv("C0221_RSS_FILE"); path != "" && child.ProcessState != nil {
		if ru, ok := child.ProcessState.SysUsage().(*syscall.Rusage); ok {
			if f, ferr := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600); ferr == nil {
				// A figure that cannot be written shows up as missing in the
				// benchmark; the provider's own exit status matters more here.
				_, _ = fmt.Fprintln(f, ru.Maxrss)
				_ = f.Close()
			}
		}
	}
	if err != nil {
		os.Exit(1)
	}
}
