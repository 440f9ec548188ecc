// Command ecr-emulator serves the local Amazon ECR emulator (package
// ecremu) on a loopback port, for demos, scripts and benchmarks.
//
//	ecr-emulator -listen 127.0.0.1:0 -seed seed.json -url-file /tmp/ecr.url -v
//
// Point the AWS SDK or CLI at the printed URL (AWS_ENDPOINT_URL_ECR) with any
// static credentials. Drive faults and read call counts through the admin
// endpoints under /_emulator/ (see package ecremu). SIGINT or SIGTERM stops
// it cleanly.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/c0221/terraform-provider-c0221/internal/ecremu"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
		os.Exit(2)
	case err != nil:
		fmt.Fprintln(os.Stderr, "ecr-emulator:", err)
		os.Exit(1)
	}
}

// run serves until ctx is done.
func run(ctx context.Context, args []string, logOut io.Writer) error {
	fs := flag.NewFlagSet("ecr-emulator", flag.ContinueOnError)
	fs.SetOutput(logOut)
	listen := fs.String("listen", "127.0.0.1:0", "address to listen on (loopback; port 0 picks a free port)")
	seed := fs.String("seed", "", "seed file (JSON, see package ecremu) to load at start")
	account := fs.String("account", "",
		"registry id / AWS account, 12 digits (default 123456789012, or the seed's)")
	latency := fs.Duration("latency", 0, "latency added to every API answer, e.g. 50ms")
	throttleRate := fs.Float64("throttle-rate", 0, "probability (0..1) of answering ThrottlingException")
	urlFile := fs.String("url-file", "", "write the base URL to this file once listening (removed on exit)")
	verbose := fs.Bool("v", false, "log one line per request")
	legacy := fs.Bool("legacy-flag-scans-under-basic", true,
		"under BASIC with no matching rule, the legacy scanOnPush flag yields SCAN_ON_PUSH")
	synthetic := fs.Int("synthetic", 0, "create this many synthetic repositories at start")
	settle := fs.Duration("response-settle", ecremu.DefaultResponseSettle,
		"delay before answers over 3 KiB (guards aws-sdk-go-v2 clients against a body race; 0 disables)")
	syntheticRegion := fs.String("synthetic-region", ecremu.DefaultRegion,
		"Region of the synthetic repositories")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %v", fs.Args())
	}
	explicit := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { explicit[f.Name] = true })

	opts := []ecremu.Option{ecremu.WithLegacyFlagScansUnderBasic(*legacy), ecremu.WithResponseSettle(*settle)}
	if *verbose {
		opts = append(opts, ecremu.WithLogger(log.New(logOut, "ecr-emulator ", log.LstdFlags|log.Lmicroseconds)))
	}
	s := ecremu.New(opts...)
	if *seed != "" {
		if err := s.LoadSeedFile(*seed); err != nil {
			return err
		}
	}
	// Explicit flags win over the seed.
	if *account != "" {
		if err := s.SetAccount(*account); err != nil {
			return err
		}
	}
	if explicit["legacy-flag-scans-under-basic"] {
		s.SetLegacyFlagScansUnderBasic(*legacy)
	}
	if *synthetic > 0 {
		if _, err := s.SeedSynthetic(*syntheticRegion, *synthetic, ecremu.SyntheticConfig{}); err != nil {
			return err
		}
	}
	if *latency < 0 || *throttleRate < 0 || *throttleRate > 1 {
		return errors.New("-latency must be >= 0 and -throttle-rate within 0..1")
	}
	s.SetLatency(ecremu.AllOperations, *latency)
	s.SetThrottleRate(ecremu.AllOperations, *throttleRate)

	if err := s.Start(*listen); err != nil {
		return err
	}
	// Only for early returns: once ctx is done the server is closed below and
	// that error is returned; a second Close is a no-op.
	defer func() { _ = s.Close() }()
	url := s.URL()
	// The line is for a person; a failing log writer must not stop the
	// emulator, and scripts read the URL from -url-file.
	_, _ = fmt.Fprintf(logOut, "ecr-emulator listening on %s (account %s)\n", url, s.Account())
	if *urlFile != "" {
		if err := writeAtomic(*urlFile, url+"\n"); err != nil {
			return err
		}
		// Best effort on the way out: the file may already be gone, and the
		// server's own error is the one to return.
		defer func() { _ = os.Remove(*urlFile) }()
	}
	<-ctx.Done()
	done := make(chan error, 1)
	go func() { done <- s.Close() }()
	select {
	case err := <-done:
		return err
	case <-time.After(5 * time.Second):
		return errors.New("timed out closing the server")
	}
}

// writeAtomic writes via a temporary file and a rename, so a script polling
// for the file never reads it half written.
func writeAtomic(path, content string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".ecr-emulator-url-*")
	if err != nil {
		return err
	}
	if _, err := tmp.WriteString(content); err != nil {
		// Cleanup after a failed write: the write error is the one to report.
		_ = tmp.Close()
		_ = os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		_ = os.Remove(tmp.Name()) // cleanup; the close error is the one to report
		return err
	}
	return os.Rename(tmp.Name(), path)
}
