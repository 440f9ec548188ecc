package awsecr

import (
	"context"
	"errors"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/c0221/terraform-provider-c0221/internal/compliance"
	"github.com/c0221/terraform-provider-c0221/internal/ecremu"
)

// Fault tests: the provider's own Session (its retryer in both modes, max_retries,
// connection pool, static credentials) against the emulator with injected
// faults. Each test fails if a fault loses or changes data, hangs, panics,
// or is reported as something else.

const (
	// faultBackoff caps the SDK's back-off between attempts so that retried
	// faults finish quickly; production uses the 10s default.
	faultBackoff = 10 * time.Millisecond
	// adaptiveWait is the longest the adaptive retryer waits for a send
	// token once ECR has throttled: one token at its minimum fill rate of
	// 0.5 a second. Time bounds are built from it, not measured guesses.
	adaptiveWait = 2 * time.Second
	// prompt is how soon a cancelled or timed-out call must return, however
	// slow ECR is.
	prompt = 2 * time.Second
)

func TestMain(m *testing.M) {
	// NewSession reads the environment as the provider does: keep the
	// machine's own AWS configuration out of these tests.
	for _, k := range []string{"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_REGION",
		"AWS_DEFAULT_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
		"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_ECR", "AWS_MAX_ATTEMPTS", "AWS_RETRY_MODE"} {
		_ = os.Unsetenv(k)
	}
	for k, v := range map[string]string{"AWS_EC2_METADATA_DISABLED": "true",
		"AWS_CONFIG_FILE": os.DevNull, "AWS_SHARED_CREDENTIALS_FILE": os.DevNull} {
		_ = os.Setenv(k, v)
	}
	os.Exit(m.Run())
}

// faultEmulator serves an emulator seeded with a registry worth reading:
// rules under ENHANCED, 60 repositories (three BatchGet calls) with mixed
// legacy flags, so that every repository has a definite live answer.
func faultEmulator(t *testing.T) *ecremu.Server {
	t.Helper()
	srv := ecremu.New(ecremu.WithRandSeed(42))
	must(t, srv.Start("127.0.0.1:0"))
	t.Cleanup(func() { _ = srv.Close() })
	for i := range 60 {
		must(t, srv.CreateRepository(region, fmt.Sprintf("svc-%03d", i), i%3 == 0))
	}
	must(t, srv.SetRegistryScanning(region, "ENHANCED", []ecremu.ScanningRule{
		{ScanFrequency: "CONTINUOUS_SCAN", RepositoryFilters: []ecremu.RepositoryFilter{
			{Filter: "svc-00*", FilterType: ecremu.FilterTypeWildcard}}},
		{ScanFrequency: "SCAN_ON_PUSH", RepositoryFilters: []ecremu.RepositoryFilter{
			{Filter: "svc-01", FilterType: ecremu.FilterTypeWildcard}}},
	}))
	return srv
}

// faultClient is a Client of the provider's own Session, configured the
// way the provider block configures it, in the default retry mode.
func faultClient(t *testing.T, srv *ecremu.Server, maxRetries int) *Client {
	t.Helper()
	return faultClientMode(t, srv, maxRetries, "")
}

func faultClientMode(t *testing.T, srv *ecremu.Server, maxRetries int, mode string) *Client {
	t.Helper()
	s, err := NewSession(context.Background(), Settings{
		Region: region, AccessKey: "AKIAFAULTTEST0000000", SecretKey: "fault-test-secret",
		ECREndpoint: srv.URL(), MaxRetries: &maxRetries, MaxBackoff: faultBackoff,
		RetryMode: mode, Concurrency: 4,
	})
	must(t, err)
	c, err := s.Client(context.Background(), "")
	must(t, err)
	return c
}

// observeAll is the data source's default read: every repository.
func observeAll(ctx context.Context, c *Client) (*Observation, error) {
	return c.Observe(ctx, Selection{Filters: []string{"*"}})
}

// comparable strips what may differ between two reads of the same
// registry: the call counts, and the order of concurrent answers.
func comparable(o *Observation) Observation {
	out := *o
	out.Calls = Calls{}
	out.Repositories = slices.Clone(o.Repositories)
	slices.SortFunc(out.Repositories, func(a, b compliance.Observation) int {
		return strings.Compare(a.Name, b.Name)
	})
	return out
}

func sameObservation(t *testing.T, got, want *Observation) {
	t.Helper()
	g, w := comparable(got), comparable(want)
	if !reflect.DeepEqual(g, w) {
		t.Fatalf("observation after the fault differs from the one without:\n got %s\nwant %s",
			describeObservation(g), describeObservation(w))
	}
}

func describeObservation(o Observation) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %v vanished=%v\n", o.Registry.ID, o.Registry.ScanType,
		o.Registry.Rules, o.Vanished)
	for _, r := range o.Repositories {
		fmt.Fprintf(&b, "  %s found=%t flag=%t", r.Name, r.Found, r.ScanOnPush)
		if r.Live != nil {
			fmt.Fprintf(&b, " live=%s%v", r.Live.Frequency, r.Live.Filters)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// baseline reads the registry with no fault, as the reference.
func baseline(t *testing.T, srv *ecremu.Server) *Observation {
	t.Helper()
	obs, err := observeAll(context.Background(), faultClient(t, srv, 0))
	must(t, err)
	if len(obs.Repositories) != 60 || len(obs.Vanished) != 0 {
		t.Fatalf("baseline read %d repositories, %d vanished", len(obs.Repositories),
			len(obs.Vanished))
	}
	for _, r := range obs.Repositories {
		if r.Live == nil {
			t.Fatalf("baseline has no live answer for %s", r.Name)
		}
	}
	return obs
}

// within runs fn and fails the test at once if it has not returned after d,
// so that a hang fails fast instead of at the test binary's timeout.
func within(t *testing.T, d time.Duration, fn func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn()
	}()
	select {
	case <-done:
	case <-time.After(d + 5*time.Second):
		t.Fatalf("still running after %s: the call hangs", d+5*time.Second)
	}
}

// inHook reports an error from an emulator hook, which runs on the server's
// goroutine, where t.Fatal must not be called.
func inHook(t *testing.T, err error) {
	if err != nil {
		t.Errorf("emulator hook: %v", err)
	}
}

func totalCalls(srv *ecremu.Server) int {
	n := 0
	for _, c := range srv.Calls() {
		n += c
	}
	return n
}

func TestFaults_throttlingBurstRecoversWithIdenticalResults(t *testing.T) {
	t.Parallel()
	for _, mode := range RetryModes {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			srv := faultEmulator(t)
			want := baseline(t, srv)
			clean := totalCalls(srv)
			srv.ResetCalls()

			// A burst on every operation of the read; max_retries 2 outlasts it.
			srv.ThrottleNext("GetRegistryScanningConfiguration", 2)
			srv.ThrottleNext("DescribeRepositories", 1)
			srv.ThrottleNext("BatchGetRepositoryScanningConfiguration", 1)
			start := time.Now()
			got, err := observeAll(context.Background(), faultClientMode(t, srv, 2, mode))
			if err != nil {
				t.Fatalf("a throttling burst shorter than max_retries failed the read: %v", err)
			}
			sameObservation(t, got, want)
			if n := totalCalls(srv); n != clean+4 {
				t.Errorf("%d calls, want the %d of a clean read plus the 4 throttled", n, clean)
			}
			// Once throttled, the adaptive retryer sends at no less than one
			// attempt per adaptiveWait for the whole client.
			bound := time.Duration(clean+4)*(adaptiveWait+faultBackoff) + prompt
			if elapsed := time.Since(start); elapsed > bound {
				t.Errorf("recovering took %s, more than the retryer's bound %s", elapsed, bound)
			}
		})
	}
}

func TestFaults_serverErrorsRecoverWithIdenticalResults(t *testing.T) {
	t.Parallel()
	srv := faultEmulator(t)
	want := baseline(t, srv)
	clean := totalCalls(srv)
	srv.ResetCalls()

	for _, op := range []string{"GetRegistryScanningConfiguration", "DescribeRepositories",
		"BatchGetRepositoryScanningConfiguration"} {
		srv.ServerErrorNext(op, 2)
	}
	got, err := observeAll(context.Background(), faultClient(t, srv, 2))
	if err != nil {
		t.Fatalf("server errors within max_retries failed the read: %v", err)
	}
	sameObservation(t, got, want)
	if n := totalCalls(srv); n != clean+6 {
		t.Errorf("%d calls, want the %d of a clean read plus the 6 that failed", n, clean)
	}
}

func TestFaults_droppedConnectionsAreRetried(t *testing.T) {
	t.Parallel()
	srv := faultEmulator(t)
	want := baseline(t, srv)
	srv.ResetCalls()

	for _, op := range []string{"GetRegistryScanningConfiguration", "DescribeRepositories",
		"BatchGetRepositoryScanningConfiguration"} {
		srv.DropNext(op, 2)
	}
	c := faultClient(t, srv, 2)
	got, err := observeAll(context.Background(), c)
	if err != nil {
		t.Fatalf("dropped connections within max_retries failed the read: %v", err)
	}
	sameObservation(t, got, want)

	// Writes are whole-value replacements, so a retried write is safe.
	srv.DropNext("PutImageScanningConfiguration", 2)
	must(t, c.SetScanOnPush(context.Background(), "", "svc-001", true))
	if repo, _ := srv.Repository(region, "svc-001"); !repo.ScanOnPush {
		t.Error("the write retried after dropped connections did not take effect")
	}
}

// finderCall is one finder the provider uses, named by its IAM action.
type finderCall struct {
	op   string
	call func(context.Context, *Client) error
}

func finderCalls() []finderCall {
	return []finderCall{
		{"GetRegistryScanningConfiguration", func(ctx context.Context, c *Client) error {
			_, err := c.RegistryScanning(ctx)
			return err
		}},
		{"DescribeRepositories", func(ctx context.Context, c *Client) error {
			return c.ListRepositories(ctx, "", func([]Repository) error { return nil })
		}},
		{"BatchGetRepositoryScanningConfiguration", func(ctx context.Context, c *Client) error {
			_, _, err := c.ScanningConfigurations(ctx, []string{"svc-000", "svc-001"})
			return err
		}},
		{"PutRegistryScanningConfiguration", func(ctx context.Context, c *Client) error {
			return c.PutRegistryScanning(ctx, compliance.Registry{ScanType: compliance.ScanTypeBasic,
				Rules: []compliance.Rule{{Frequency: compliance.FrequencyScanOnPush,
					Filters: []string{"*"}}}})
		}},
		{"PutImageScanningConfiguration", func(ctx context.Context, c *Client) error {
			return c.SetScanOnPush(ctx, "", "svc-001", true)
		}},
		{"DescribeImages", func(ctx context.Context, c *Client) error {
			_, _, err := c.LatestImage(ctx, "", "svc-000", ImageQuery{})
			return err
		}},
	}
}

func TestFaults_neverEndingThrottleFailsClearlyAfterMaxRetries(t *testing.T) {
	t.Parallel()
	type tc struct {
		finderCall
		maxRetries int
		mode       string
	}
	var cases []tc
	get := finderCalls()[0]
	for _, mode := range RetryModes {
		for _, f := range finderCalls() {
			cases = append(cases, tc{f, 1, mode})
		}
		cases = append(cases, tc{get, 0, mode}, tc{get, 3, mode})
	}

	for _, tc := range cases {
		name := fmt.Sprintf("%s/%s/max_retries=%d", tc.mode, tc.op, tc.maxRetries)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := faultEmulator(t)
			before := srv.RegistryScanning(region)
			c := faultClientMode(t, srv, tc.maxRetries, tc.mode)
			srv.ResetCalls()
			srv.SetThrottleRate(tc.op, 1)

			start := time.Now()
			err := tc.call(context.Background(), c)
			elapsed := time.Since(start)

			var ce *CallError
			if !errors.As(err, &ce) {
				t.Fatalf("error %v (%T) is not a *CallError", err, err)
			}
			if ce.Action != "ecr:"+tc.op || !errors.Is(err, ErrThrottled) {
				t.Errorf("error names %s, kind throttled %t; want ecr:%s, throttled", ce.Action,
					errors.Is(err, ErrThrottled), tc.op)
			}
			attempts := tc.maxRetries + 1
			if n := srv.CallCount(tc.op); n != attempts {
				t.Errorf("%d attempts, want max_retries+1 = %d", n, attempts)
			}
			if !strings.Contains(err.Error(), fmt.Sprintf("still throttled after %d attempts",
				attempts)) || !strings.Contains(ce.Fix(), "max_retries") {
				t.Errorf("unclear error: %v\nfix: %s", err, ce.Fix())
			}
			if bound := time.Duration(tc.maxRetries)*(adaptiveWait+faultBackoff) +
				prompt; elapsed > bound {
				t.Errorf("gave up after %s, more than the retryer's bound %s", elapsed, bound)
			}
			if after := srv.RegistryScanning(region); !reflect.DeepEqual(after, before) {
				t.Errorf("a throttled call changed the registry: %v -> %v", before, after)
			}
		})
	}
}

// The SDK's retry quota (500 tokens a client, 14 per retried server error,
// 5 per throttle) is shared by every call the provider makes for its whole
// run. Once a burst has spent it, later calls fail at their first error,
// whatever max_retries says, and the error still tells the user to raise
// max_retries. Each call must get its own max_retries.
func TestFaults_maxRetriesHoldsForEveryCallOfALongRun(t *testing.T) {
	t.Parallel()
	for _, mode := range RetryModes {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			srv := faultEmulator(t)
			c := faultClientMode(t, srv, 2, mode)
			srv.SetServerErrorRate("GetRegistryScanningConfiguration", 1)

			for i := range 40 {
				before := srv.CallCount("GetRegistryScanningConfiguration")
				_, err := c.RegistryScanning(context.Background())
				if !errors.Is(err, ErrServer) {
					t.Fatalf("call %d: %v, want a server error", i, err)
				}
				if n := srv.CallCount("GetRegistryScanningConfiguration") - before; n != 3 {
					t.Fatalf("call %d made %d attempts, want max_retries+1 = 3: %v", i, n, err)
				}
			}
		})
	}
}

func TestFaults_slowCallPastTheDeadlineReturnsPromptly(t *testing.T) {
	t.Parallel()
	for _, f := range finderCalls() {
		t.Run(f.op, func(t *testing.T) {
			t.Parallel()
			srv := faultEmulator(t)
			c := faultClient(t, srv, 8)
			srv.SetLatency(f.op, 30*time.Second)

			ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			defer cancel()
			start := time.Now()
			var err error
			within(t, prompt, func() { err = f.call(ctx, c) })
			if elapsed := time.Since(start); elapsed > prompt {
				t.Errorf("returned after %s with the deadline at 200ms", elapsed)
			}
			var ce *CallError
			if !errors.As(err, &ce) || ce.Action != "ecr:"+f.op ||
				!errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("error %v, want a *CallError for ecr:%s wrapping the deadline", err, f.op)
			}
			if !strings.Contains(ce.Fix(), "ran out of time") {
				t.Errorf("fix does not say what happened: %s", ce.Fix())
			}
			if n := srv.CallCount(f.op); n != 1 {
				t.Errorf("%d attempts; a call past its deadline must not be retried", n)
			}
		})
	}
}

func TestFaults_cancelledReadReturnsPromptly(t *testing.T) {
	t.Parallel()
	srv := faultEmulator(t)
	c := faultClient(t, srv, 8)
	// Listing answers; every BatchGet hangs, with several in flight.
	srv.SetLatency("BatchGetRepositoryScanningConfiguration", 30*time.Second)

	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(300*time.Millisecond, cancel)
	start := time.Now()
	var obs *Observation
	var err error
	within(t, 300*time.Millisecond+prompt, func() { obs, err = observeAll(ctx, c) })
	if elapsed := time.Since(start); elapsed > 300*time.Millisecond+prompt {
		t.Errorf("an interrupted read returned after %s", elapsed)
	}
	if obs != nil || !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, %v; want no observation and the cancellation", obs, err)
	}
	var ce *CallError
	if !errors.As(err, &ce) || ce.Action != "ecr:BatchGetRepositoryScanningConfiguration" {
		t.Errorf("error %v does not name the call that was interrupted", err)
	}
	if n := srv.CallCount("BatchGetRepositoryScanningConfiguration"); n != 3 {
		t.Errorf("%d BatchGet attempts, want the 3 of the read, none retried", n)
	}

	// A context cancelled before the read starts makes no call at all.
	srv.ResetCalls()
	_, err = observeAll(ctx, c)
	if !errors.Is(err, context.Canceled) || totalCalls(srv) != 0 {
		t.Errorf("read with a cancelled context: %v after %v calls", err, srv.Calls())
	}
}

func TestFaults_repositoryDeletedBetweenListingAndBatchGetIsReported(t *testing.T) {
	t.Parallel()
	srv := faultEmulator(t)
	var once sync.Once
	srv.SetHook("BatchGetRepositoryScanningConfiguration", func(_, region string) {
		once.Do(func() {
			inHook(t, srv.DeleteRepository(region, "svc-007"))
			inHook(t, srv.DeleteRepository(region, "svc-042"))
		})
	})

	obs, err := observeAll(context.Background(), faultClient(t, srv, 2))
	if err != nil {
		t.Fatalf("deletion during the read failed it: %v", err)
	}
	if want := []string{"svc-007", "svc-042"}; !slices.Equal(obs.Vanished, want) {
		t.Errorf("Vanished = %v, want %v", obs.Vanished, want)
	}
	names := map[string]bool{}
	for _, r := range obs.Repositories {
		if names[r.Name] || !r.Found || r.Live == nil {
			t.Errorf("repository %s: duplicate %t, found %t, live %v", r.Name, names[r.Name],
				r.Found, r.Live)
		}
		names[r.Name] = true
	}
	if len(names) != 58 || names["svc-007"] || names["svc-042"] {
		t.Errorf("%d repositories judged, want the 58 that still exist", len(names))
	}
}

func TestFaults_repositoryDeletedBeforeItsNamedReadIsNotFound(t *testing.T) {
	t.Parallel()
	srv := faultEmulator(t)
	var once sync.Once
	srv.SetHook(ecremu.AllOperations, func(op, region string) {
		if op != "GetRegistryScanningConfiguration" {
			once.Do(func() { inHook(t, srv.DeleteRepository(region, "svc-003")) })
		}
	})

	obs, err := faultClient(t, srv, 2).Observe(context.Background(),
		Selection{Names: []string{"svc-001", "svc-003"}})
	if err != nil {
		t.Fatalf("deletion during a read by name failed it: %v", err)
	}
	got := map[string]bool{}
	for _, r := range obs.Repositories {
		got[r.Name] = r.Found
	}
	if want := map[string]bool{"svc-001": true, "svc-003": false}; !reflect.DeepEqual(got, want) {
		t.Errorf("found = %v, want %v (a named repository deleted is not found)", got, want)
	}
}

func TestFaults_repositoryDeletedWhileListingPagesIsNeitherLostNorInvented(t *testing.T) {
	t.Parallel()
	srv := faultEmulator(t)
	// 1,060 repositories: two listing pages of up to 1,000, in name order,
	// so the first synthetic name is on page 1 and svc-059 on page 2.
	_, err := srv.SeedSynthetic(region, 1000, ecremu.SyntheticConfig{Prefix: "zz"})
	must(t, err)
	first, late := srv.RepositoryNames(region)[0], "svc-059"
	listed := 0
	var mu sync.Mutex
	srv.SetHook("DescribeRepositories", func(_, region string) {
		mu.Lock()
		defer mu.Unlock()
		if listed++; listed == 2 {
			// Between the pages: one already listed, one not yet.
			inHook(t, srv.DeleteRepository(region, first))
			inHook(t, srv.DeleteRepository(region, late))
		}
	})

	obs, err := observeAll(context.Background(), faultClient(t, srv, 2))
	if err != nil {
		t.Fatal(err)
	}
	if listed != 2 {
		t.Fatalf("%d listing pages, want 2", listed)
	}
	// The repository listed on page 1 is judged if its BatchGet ran before
	// the deletion, else reported as vanished; never both, never lost.
	seen := map[string]int{}
	for _, r := range obs.Repositories {
		seen[r.Name]++
		if r.Live == nil {
			t.Errorf("%s judged without a live answer", r.Name)
		}
	}
	for _, name := range obs.Vanished {
		seen[name]++
	}
	if seen[first] != 1 {
		t.Errorf("%s, listed then deleted, reported %d times, want once (judged or vanished)",
			first, seen[first])
	}
	if seen[late] != 0 {
		t.Errorf("%s, deleted before it was listed, was reported", late)
	}
	for _, name := range srv.RepositoryNames(region) {
		if seen[name] != 1 {
			t.Errorf("repository %s reported %d times, want once", name, seen[name])
		}
	}
	if len(seen) != 1059 {
		t.Errorf("%d repositories reported, want the 1,059 listed", len(seen))
	}
}

func TestFaults_registryChangedDuringTheReadIsOneConsistentAnswer(t *testing.T) {
	t.Parallel()
	srv := faultEmulator(t)
	before := comparable(baseline(t, srv))
	after := []ecremu.ScanningRule{{ScanFrequency: "SCAN_ON_PUSH",
		RepositoryFilters: []ecremu.RepositoryFilter{{Filter: "*", FilterType: "WILDCARD"}}}}
	var once sync.Once
	srv.SetHook("BatchGetRepositoryScanningConfiguration", func(_, region string) {
		once.Do(func() { inHook(t, srv.SetRegistryScanning(region, "BASIC", after)) })
	})

	obs, err := observeAll(context.Background(), faultClient(t, srv, 2))
	if err != nil {
		t.Fatal(err)
	}
	got := comparable(obs)
	// The registry is the configuration before or after the change, never a
	// mix; each repository's live answer is the one ECR gave at its call.
	changed := compliance.Registry{ID: ecremu.DefaultAccount, ScanType: compliance.ScanTypeBasic,
		Rules: []compliance.Rule{{Frequency: compliance.FrequencyScanOnPush,
			Filters: []string{"*"}}}}
	if !reflect.DeepEqual(got.Registry, before.Registry) && !reflect.DeepEqual(got.Registry, changed) {
		t.Errorf("registry read as %+v: neither before nor after the change", got.Registry)
	}
	if len(got.Repositories) != 60 || len(got.Vanished) != 0 {
		t.Fatalf("%d repositories, %v vanished; want all 60", len(got.Repositories), got.Vanished)
	}
	for i, r := range got.Repositories {
		old := before.Repositories[i]
		if r.Name != old.Name || r.Live == nil {
			t.Fatalf("repository %d is %s (live %v), want %s", i, r.Name, r.Live, old.Name)
		}
		// Every BatchGet ran after the change: SCAN_ON_PUSH by the "*" rule.
		if r.Live.Frequency != compliance.FrequencyScanOnPush ||
			!slices.Equal(r.Live.Filters, []string{"*"}) {
			t.Errorf("%s: live %s %v, want SCAN_ON_PUSH [*] as ECR answered", r.Name,
				r.Live.Frequency, r.Live.Filters)
		}
	}
}

func TestFaults_connectionThatKeepsDroppingFailsAfterMaxRetries(t *testing.T) {
	t.Parallel()
	srv := faultEmulator(t)
	c := faultClient(t, srv, 2)
	srv.SetDropRate("PutImageScanningConfiguration", 1)

	err := c.SetScanOnPush(context.Background(), "", "svc-001", true)
	var ce *CallError
	if !errors.As(err, &ce) || ce.Action != "ecr:PutImageScanningConfiguration" ||
		!strings.Contains(ce.Object, "svc-001") {
		t.Fatalf("error %v does not name the action and the repository", err)
	}
	if n := srv.CallCount("PutImageScanningConfiguration"); n != 3 {
		t.Errorf("%d attempts, want max_retries+1 = 3", n)
	}
	if !strings.Contains(err.Error(), "maximum number of attempts, 3") ||
		!strings.Contains(ce.Fix(), "network") {
		t.Errorf("unclear error: %v\nfix: %s", err, ce.Fix())
	}
	if repo, _ := srv.Repository(region, "svc-001"); repo.ScanOnPush {
		t.Error("a write that never got through changed the repository")
	}
}

func TestFaults_accessDeniedNamesTheActionAndTheResource(t *testing.T) {
	t.Parallel()
	objects := map[string]string{
		"GetRegistryScanningConfiguration":        "the registry in us-east-1",
		"DescribeRepositories":                    "the registry in us-east-1",
		"BatchGetRepositoryScanningConfiguration": "repositories svc-000, svc-001 in us-east-1",
		"PutRegistryScanningConfiguration":        "the registry in us-east-1",
		"PutImageScanningConfiguration":           "repository svc-001 in us-east-1",
		"DescribeImages":                          "repository svc-000 in us-east-1",
	}
	for _, f := range finderCalls() {
		t.Run(f.op, func(t *testing.T) {
			t.Parallel()
			srv := faultEmulator(t)
			c := faultClient(t, srv, 3)
			srv.DenyAccess(f.op)

			err := f.call(context.Background(), c)
			var ce *CallError
			if !errors.As(err, &ce) || !errors.Is(err, ErrDenied) {
				t.Fatalf("error %v is not a denied *CallError", err)
			}
			if ce.Action != "ecr:"+f.op || ce.Object != objects[f.op] {
				t.Errorf("names %s on %q, want ecr:%s on %q", ce.Action, ce.Object, f.op,
					objects[f.op])
			}
			if want := "Allow ecr:" + f.op + " on " + objects[f.op]; !strings.Contains(ce.Fix(), want) {
				t.Errorf("fix %q does not say %q", ce.Fix(), want)
			}
			if n := srv.CallCount(f.op); n != 1 {
				t.Errorf("%d attempts; a denial is final and must not be retried", n)
			}
		})
	}
}

// TestFaults_endpointThatNeverAnswersFailsAfterMaxRetries: with no context
// deadline at all, an endpoint that holds every call open still ends in an
// error after max_retries+1 bounded attempts, never a hang.
func TestFaults_endpointThatNeverAnswersFailsAfterMaxRetries(t *testing.T) {
	t.Parallel()
	srv := faultEmulator(t)
	srv.SetLatency("GetRegistryScanningConfiguration", time.Minute)
	retries := 1
	s, err := NewSession(context.Background(), Settings{
		Region: region, AccessKey: "AKIAFAULTTEST0000000", SecretKey: "fault-test-secret",
		ECREndpoint: srv.URL(), MaxRetries: &retries, MaxBackoff: faultBackoff,
		AttemptTimeout: 200 * time.Millisecond,
	})
	must(t, err)
	c, err := s.Client(context.Background(), "")
	must(t, err)

	start := time.Now()
	_, err = c.RegistryScanning(context.Background())
	elapsed := time.Since(start)

	var ce *CallError
	if !errors.As(err, &ce) || ce.Action != "ecr:GetRegistryScanningConfiguration" {
		t.Fatalf("got %v, want a CallError for ecr:GetRegistryScanningConfiguration", err)
	}
	if got := srv.CallCount("GetRegistryScanningConfiguration"); got != retries+1 {
		t.Errorf("%d attempts, want %d", got, retries+1)
	}
	if elapsed > 5*time.Second {
		t.Errorf("took %s for two 200ms attempts", elapsed)
	}
}
