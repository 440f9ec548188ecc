package bench

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/c0221/terraform-provider-c0221/internal/ecremu"
)

const region = "us-east-1"

// table collects the rows every benchmark reports; TestMain prints it once.
var table struct {
	sync.Mutex
	rows [][3]string
}

func record(target, measured, verdict string) {
	table.Lock()
	defer table.Unlock()
	table.rows = append(table.rows, [3]string{target, measured, verdict})
}

func TestMain(m *testing.M) {
	code := m.Run()
	if len(table.rows) > 0 {
		fmt.Println()
		fmt.Printf("%-58s | %-62s | %s\n", "measure", "figures", "target")
		fmt.Println(strings.Repeat("-", 58) + "-+-" + strings.Repeat("-", 62) + "-+-------")
		for _, r := range table.rows {
			fmt.Printf("%-58s | %-62s | %s\n", r[0], r[1], r[2])
		}
	}
	os.Exit(code)
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT met"
}

// emulator serves n synthetic repositories on loopback with latency on
// every call. A third of them are flagged, and the registry rule covers the
// prod and staging groups, so results mix passes and failures.
func emulator(b *testing.B, n int, latency time.Duration) *ecremu.Server {
	b.Helper()
	srv := syntheticEmulator(b, n, ecremu.SyntheticConfig{})
	err := srv.SetRegistryScanning(region, "BASIC", []ecremu.ScanningRule{{
		ScanFrequency: "SCAN_ON_PUSH",
		RepositoryFilters: []ecremu.RepositoryFilter{
			{Filter: "prod/*", FilterType: "WILDCARD"}, {Filter: "staging/*", FilterType: "WILDCARD"},
		},
	}})
	if err != nil {
		b.Fatal(err)
	}
	srv.SetLatency(ecremu.AllOperations, latency)
	return srv
}

// syntheticEmulator serves n synthetic repositories on loopback. No settle
// delay: the provider must cope with an endpoint that answers at once, as
// another emulator or a nearby VPC endpoint does.
func syntheticEmulator(b *testing.B, n int, cfg ecremu.SyntheticConfig) *ecremu.Server {
	b.Helper()
	srv := ecremu.New(ecremu.WithResponseSettle(0))
	if err := srv.Start("127.0.0.1:0"); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = srv.Close() })
	if _, err := srv.SeedSynthetic(region, n, cfg); err != nil {
		b.Fatal(err)
	}
	return srv
}

// cli runs terraform (or TF_ACC_TERRAFORM_PATH) against a provider binary
// wrapped so that its peak resident memory is recorded.
type cli struct {
	tf, dir, rc, rssFile string
	env                  []string
}

var (
	buildOnce sync.Once
	buildDir  string
	buildErr  error
)

// buildProvider builds the provider and the memory-recording wrapper once.
func buildProvider(b *testing.B) string {
	b.Helper()
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "c0221-bench-")
		if buildErr != nil {
			return
		}
		steps := [][]string{
			{"build", "-o", filepath.Join(buildDir, "real-provider"), "../.."},
			{"build", "-o", filepath.Join(buildDir, "terraform-provider-c0221"), "./rsswrap"},
		}
		for _, args := range steps {
			if out, err := exec.Command("go", args...).CombinedOutput(); err != nil {
				buildErr = fmt.Errorf("go %v: %w\n%s", args, err, out)
				return
			}
		}
	})
	if buildErr != nil {
		b.Fatal(buildErr)
	}
	return buildDir
}

func newCLI(b *testing.B, srv *ecremu.Server, config string) *cli {
	b.Helper()
	bin := buildProvider(b)
	tf := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if tf == "" {
		var err error
		if tf, err = exec.LookPath("terraform"); err != nil {
			b.Fatal("no terraform on PATH")
		}
	}
	c := &cli{tf: tf, dir: b.TempDir()}
	c.rc = filepath.Join(c.dir, ".terraformrc")
	c.rssFile = filepath.Join(c.dir, "rss")
	write(b, c.rc, fmt.Sprintf(`provider_installation {
  dev_overrides {
    "registry.terraform.io/c0221/c0221" = %q
    "registry.opentofu.org/c0221/c0221" = %q
  }
  direct {}
}
`, bin, bin))
	write(b, filepath.Join(c.dir, "main.tf"), `terraform {
  required_providers {
    c0221 = { source = "c0221/c0221" }
  }
}
`+config)
	c.env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+c.rc, "TF_IN_AUTOMATION=1",
		"AWS_REGION="+region, "AWS_ACCESS_KEY_ID=AKIABENCH00000000000", "AWS_SECRET_ACCESS_KEY=bench",
		"AWS_ENDPOINT_URL_ECR="+srv.URL(), "AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE="+os.DevNull, "AWS_SHARED_CREDENTIALS_FILE="+os.DevNull,
		"C0221_RSS_FILE="+c.rssFile)
	return c
}

// run runs one terraform command and returns its wall time.
func (c *cli) run(b *testing.B, args ...string) time.Duration {
	b.Helper()
	_ = os.Remove(c.rssFile)
	cmd := exec.Command(c.tf, args...)
	cmd.Dir, cmd.Env = c.dir, c.env
	start := time.Now()
	out, err := cmd.CombinedOutput()
	elapsed := time.Since(start)
	if err != nil {
		b.Fatalf("%s %v: %v\n%s", c.tf, args, err, out)
	}
	return elapsed
}

// peakRSS is the largest resident set of any provider process of the last
// run, in bytes.
func (c *cli) peakRSS(b *testing.B) int64 {
	b.Helper()
	raw, err := os.ReadFile(c.rssFile)
	if err != nil {
		b.Fatalf("no memory figure recorded: %v", err)
	}
	var peak int64
	for _, line := range strings.Fields(string(raw)) {
		var kb int64
		if _, err := fmt.Sscan(line, &kb); err == nil && kb*1024 > peak {
			peak = kb * 1024
		}
	}
	return peak
}

func write(b *testing.B, path, content string) {
	b.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		b.Fatal(err)
	}
}
