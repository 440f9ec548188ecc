package bench

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/c0221/terraform-provider-c0221/internal/ecremu"
)

const planLatency = 20 * time.Millisecond

// BenchmarkPlan_oneDataSourceVersusMany compares one data source over N
// repositories with N data sources of one repository each, the pattern of
// per-repository data sources.
func BenchmarkPlan_oneDataSourceVersusMany(b *testing.B) {
	for _, n := range []int{100, 1000} {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			srv := emulator(b, n, planLatency)
			names := srv.RepositoryNames(region)

			one := newCLI(b, srv, `
provider "c0221" {}
data "c0221_repository_compliance" "all" {
  on_failure    = "none"
  report_detail = "noncompliant"
}
`)
			var many strings.Builder
			many.WriteString("provider \"c0221\" {}\n")
			for i, name := range names {
				fmt.Fprintf(&many, "data \"c0221_repository_compliance\" \"r%d\" {\n"+
					"  repository_names = [%q]\n  on_failure = \"none\"\n}\n", i, name)
			}
			perRepo := newCLI(b, srv, many.String())

			var tOne, tMany time.Duration
			for b.Loop() {
				tOne = one.run(b, "plan", "-input=false", "-no-color")
				tMany = perRepo.run(b, "plan", "-input=false", "-no-color")
			}
			ratio := tMany.Seconds() / tOne.Seconds()
			b.ReportMetric(tOne.Seconds(), "s-one")
			b.ReportMetric(tMany.Seconds(), "s-many")
			record(fmt.Sprintf("plan: 1 data source vs %d (N=%d, 20ms latency)", n, n),
				fmt.Sprintf("one %.2fs, many %.2fs: one is %.1fx faster", tOne.Seconds(),
					tMany.Seconds(), ratio), "shown")
		})
	}
}

// BenchmarkApply_memoryAndState records the provider's peak memory and the
// state size after an apply of one data source, with every repository
// reported and with only the failing ones (100 of them).
func BenchmarkApply_memoryAndState(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		for _, detail := range []string{"all", "noncompliant"} {
			b.Run(fmt.Sprintf("N=%d/detail=%s", n, detail), func(b *testing.B) {
				// Every synthetic name contains "svc"; the 100 legacy ones fail.
				srv := syntheticEmulator(b, n-100, ecremu.SyntheticConfig{})
				err := srv.SetRegistryScanning(region, "BASIC", []ecremu.ScanningRule{{
					ScanFrequency:     "SCAN_ON_PUSH",
					RepositoryFilters: []ecremu.RepositoryFilter{{Filter: "svc", FilterType: "WILDCARD"}},
				}})
				if err != nil {
					b.Fatal(err)
				}
				for i := range 100 {
					if err := srv.CreateRepository(region, fmt.Sprintf("legacy/job-%03d", i), false); err != nil {
						b.Fatal(err)
					}
				}
				c := newCLI(b, srv, fmt.Sprintf(`
provider "c0221" {}
data "c0221_repository_compliance" "all" {
  repository_filters = ["svc", "legacy"]
  on_failure         = "none"
  report_detail      = %q
}
`, detail))
				var elapsed time.Duration
				for b.Loop() {
					elapsed = c.run(b, "apply", "-auto-approve", "-input=false", "-no-color")
				}
				rss := c.peakRSS(b)
				fi, err := os.Stat(filepath.Join(c.dir, "terraform.tfstate"))
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(rss)/(1<<20), "MiB-rss")
				b.ReportMetric(float64(fi.Size())/(1<<20), "MiB-state")
				target := "shown"
				if n == 10000 && detail == "noncompliant" {
					target = verdict(fi.Size() < 1<<20)
				}
				record(fmt.Sprintf("apply N=%d detail=%s (100 failing)", n, detail),
					fmt.Sprintf("provider peak RSS %.1f MiB, state %.2f MiB, %.1fs",
						float64(rss)/(1<<20), float64(fi.Size())/(1<<20), elapsed.Seconds()), target)
			})
		}
	}
}
