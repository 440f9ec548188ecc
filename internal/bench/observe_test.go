package bench

import (
	"context"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/c0221/terraform-provider-c0221/internal/awsecr"
	"github.com/c0221/terraform-provider-c0221/internal/compliance"
	"github.com/c0221/terraform-provider-c0221/internal/ecremu"
)

const observeLatency = 20 * time.Millisecond

func client(b *testing.B, srv *ecremu.Server, set awsecr.Settings) *awsecr.Client {
	b.Helper()
	set.Region, set.AccessKey, set.SecretKey = region, "AKIABENCH00000000000", "bench"
	set.ECREndpoint = srv.URL()
	s, err := awsecr.NewSession(context.Background(), set)
	if err != nil {
		b.Fatal(err)
	}
	c, err := s.Client(context.Background(), "")
	if err != nil {
		b.Fatal(err)
	}
	return c
}

func observe(b *testing.B, c *awsecr.Client) (*awsecr.Observation, time.Duration) {
	b.Helper()
	start := time.Now()
	obs, err := c.Observe(context.Background(), awsecr.Selection{Filters: []string{"*"}})
	if err != nil {
		b.Fatal(err)
	}
	return obs, time.Since(start)
}

// lowerBound is the shortest read the call graph allows with concurrency
// calls in flight when every call takes latency: listing pages come one
// after another (the lister holding one slot), each page releases its
// BatchGet calls, and the registry read runs beside the first page.
func lowerBound(n, concurrency int, latency time.Duration) time.Duration {
	pages := (n + 999) / 1000
	total := (n + 24) / 25
	released, done, step := 0, 0, 0
	for done < total {
		// At the start of a step, pages 1..step have arrived.
		if step >= 1 && step <= pages {
			released += (min(1000, n-(step-1)*1000) + 24) / 25
		}
		slots := concurrency
		if step < pages {
			slots-- // the lister reading page step+1
		}
		if step == 0 {
			slots-- // the registry scanning read
		}
		done += min(max(slots, 0), released-done)
		step++
	}
	return time.Duration(step) * latency
}

// BenchmarkObserve_calls compares the ECR calls of one read with the minimum.
func BenchmarkObserve_calls(b *testing.B) {
	const n = 10000
	srv := emulator(b, n, 0)
	c := client(b, srv, awsecr.Settings{})
	for b.Loop() {
		srv.ResetCalls()
		observe(b, c)
	}
	want := map[string]int{
		"DescribeRepositories":                    (n + 999) / 1000,
		"BatchGetRepositoryScanningConfiguration": (n + 24) / 25,
		"GetRegistryScanningConfiguration":        1,
	}
	calls := srv.Calls()
	for _, op := range slices.Sorted(maps.Keys(want)) {
		record(fmt.Sprintf("calls N=%d: %s", n, op),
			fmt.Sprintf("%d actual / %d minimum", calls[op], want[op]), verdict(calls[op] == want[op]))
	}
	extra := 0
	for op, got := range calls {
		if _, ok := want[op]; !ok {
			extra += got
		}
	}
	record(fmt.Sprintf("calls N=%d: any other operation", n), fmt.Sprintf("%d", extra),
		verdict(extra == 0))
}

// BenchmarkObserve_latencyBound reads 10,000 repositories with 20 ms on
// every call, at several concurrency settings, against the lower bound.
func BenchmarkObserve_latencyBound(b *testing.B) {
	const n = 10000
	for _, conc := range []int{2, 4, 8, 16, 32} {
		b.Run(fmt.Sprintf("concurrency=%d", conc), func(b *testing.B) {
			srv := emulator(b, n, observeLatency)
			c := client(b, srv, awsecr.Settings{Concurrency: conc})
			var elapsed time.Duration
			for b.Loop() {
				_, elapsed = observe(b, c)
			}
			bound := lowerBound(n, conc, observeLatency)
			ratio := elapsed.Seconds() / bound.Seconds()
			b.ReportMetric(ratio, "x-bound")
			target := "shown"
			if conc == awsecr.DefaultConcurrency {
				target = verdict(ratio <= 1.5)
			}
			record(fmt.Sprintf("read N=%d, 20ms latency, concurrency %d", n, conc),
				fmt.Sprintf("%.2fs vs lower bound %.2fs: %.2fx", elapsed.Seconds(),
					bound.Seconds(), ratio), target)
		})
	}
}

// BenchmarkObserve_throttled reads under 20% throttling on every call, with
// each retry mode: the result must equal the unthrottled one.
func BenchmarkObserve_throttled(b *testing.B) {
	const n = 10000
	for _, mode := range awsecr.RetryModes {
		b.Run("retry_mode="+mode, func(b *testing.B) {
			srv := emulator(b, n, 0)
			c := client(b, srv, awsecr.Settings{RetryMode: mode})
			clean, tClean := observe(b, c)

			srv.SetThrottleRate(ecremu.AllOperations, 0.2)
			var throttled *awsecr.Observation
			var tThrottled time.Duration
			for b.Loop() {
				throttled, tThrottled = observe(b, c)
			}
			srv.ClearFaults()

			same := reflect.DeepEqual(sortObs(clean.Repositories), sortObs(throttled.Repositories)) &&
				reflect.DeepEqual(clean.Registry, throttled.Registry)
			target := "shown"
			if mode == awsecr.RetryStandard {
				target = verdict(same)
			}
			record(fmt.Sprintf("read N=%d, 20%% throttling, retry_mode %s", n, mode),
				fmt.Sprintf("identical=%v, %.2fs vs %.2fs unthrottled: %.1fx", same,
					tThrottled.Seconds(), tClean.Seconds(), tThrottled.Seconds()/tClean.Seconds()),
				target)
		})
	}
}

func sortObs(in []compliance.Observation) []compliance.Observation {
	out := slices.Clone(in)
	slices.SortFunc(out, func(a, b compliance.Observation) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// BenchmarkObserve_findingsCalls counts the image calls of a read with the
// findings gate: at most one DescribeImages page and one findings read per
// repository (an index adds its BatchGetImage).
func BenchmarkObserve_findingsCalls(b *testing.B) {
	const n = 1000
	srv := syntheticEmulator(b, n, ecremu.SyntheticConfig{ImagesPerRepository: 3})
	c := client(b, srv, awsecr.Settings{})
	for b.Loop() {
		srv.ResetCalls()
		_, err := c.Observe(context.Background(), awsecr.Selection{
			Filters: []string{"*"}, Images: &awsecr.ImageQuery{}})
		if err != nil {
			b.Fatal(err)
		}
	}
	calls := srv.Calls()
	for _, op := range []string{"DescribeImages", "DescribeImageScanFindings"} {
		record(fmt.Sprintf("calls N=%d with image_findings: %s", n, op),
			fmt.Sprintf("%d actual / %d at most (one a repository)", calls[op], n),
			verdict(calls[op] <= n))
	}
	record(fmt.Sprintf("calls N=%d with image_findings: BatchGetImage", n),
		fmt.Sprintf("%d (no image indexes in this registry)", calls["BatchGetImage"]),
		verdict(calls["BatchGetImage"] == 0))
}
