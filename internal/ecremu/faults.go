package ecremu

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"sync"
	"time"
)

// FaultKind is an injected failure.
type FaultKind int

// Injected failures: ThrottlingException (HTTP 400, "Rate exceeded"),
// ServerException (HTTP 500), or a connection closed without an answer.
const (
	FaultNone FaultKind = iota
	FaultThrottle
	FaultServerError
	FaultDrop
)

// AllOperations stands for every operation in fault, latency and hook
// settings. An operation's own setting overrides it.
const AllOperations = "*"

// Hook runs before an operation is served (after faults, outside the state
// lock, so it may change state through the Server's helpers).
type Hook func(op, region string)

type faultRule struct {
	rate    float64
	rateSet bool
	next    int
}

type faults struct {
	mu      sync.Mutex
	rng     *rand.Rand
	latency map[string]time.Duration
	rules   map[FaultKind]map[string]*faultRule
	deny    map[string]bool
	calls   map[string]int
	hooks   map[string]Hook
}

func newFaults() *faults {
	f := &faults{rng: rand.New(rand.NewPCG(1, 2)), calls: map[string]int{}}
	f.clear()
	return f
}

func (f *faults) reseed(seed uint64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rng = rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}

func (f *faults) clear() {
	f.latency = map[string]time.Duration{}
	f.rules = map[FaultKind]map[string]*faultRule{FaultThrottle: {}, FaultServerError: {}, FaultDrop: {}}
	f.deny = map[string]bool{}
	f.hooks = map[string]Hook{}
}

func (f *faults) recordCall(op string) {
	f.mu.Lock()
	f.calls[op]++
	f.mu.Unlock()
}

type faultPlan struct {
	latency time.Duration
	fault   FaultKind
}

// plan decides one request's latency and fault, consuming "next N" budgets.
func (f *faults) plan(op string) faultPlan {
	f.mu.Lock()
	defer f.mu.Unlock()
	var p faultPlan
	if d, ok := f.latency[op]; ok {
		p.latency = d
	} else {
		p.latency = f.latency[AllOperations]
	}
	for _, kind := range []FaultKind{FaultDrop, FaultThrottle, FaultServerError} {
		if f.hit(kind, op) {
			p.fault = kind
			break
		}
	}
	return p
}

func (f *faults) hit(kind FaultKind, op string) bool {
	m := f.rules[kind]
	for _, key := range []string{op, AllOperations} {
		if r := m[key]; r != nil && r.next > 0 {
			r.next--
			return true
		}
	}
	var rate float64
	if r := m[op]; r != nil && r.rateSet {
		rate = r.rate
	} else if r := m[AllOperations]; r != nil {
		rate = r.rate
	}
	return rate > 0 && f.rng.Float64() < rate
}

func (f *faults) rule(kind FaultKind, op string) *faultRule {
	m := f.rules[kind]
	if m == nil {
		panic(fmt.Sprintf("ecremu: unknown fault kind %d", kind))
	}
	r := m[opKey(op)]
	if r == nil {
		r = &faultRule{}
		m[opKey(op)] = r
	}
	return r
}

func (f *faults) denied(op string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.deny[op] || f.deny[AllOperations]
}

func (f *faults) runHook(op, region string) {
	f.mu.Lock()
	all, own := f.hooks[AllOperations], f.hooks[op]
	f.mu.Unlock()
	if all != nil {
		all(op, region)
	}
	if own != nil {
		own(op, region)
	}
}

func opKey(op string) string {
	if op == "" {
		return AllOperations
	}
	return op
}

// SetLatency delays every answer to op ("" or AllOperations: every
// operation) by d; 0 removes the delay.
func (s *Server) SetLatency(op string, d time.Duration) {
	f := s.faults
	f.mu.Lock()
	defer f.mu.Unlock()
	if d <= 0 {
		delete(f.latency, opKey(op))
		return
	}
	f.latency[opKey(op)] = d
}

// SetFaultRate makes each call to op fail with the given kind with
// probability p (0 removes it).
func (s *Server) SetFaultRate(kind FaultKind, op string, p float64) {
	f := s.faults
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.rule(kind, op)
	r.rate, r.rateSet = min(max(p, 0), 1), true
}

// FailNext makes the next n calls to op fail with the given kind.
func (s *Server) FailNext(kind FaultKind, op string, n int) {
	f := s.faults
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rule(kind, op).next = max(n, 0)
}

// SetThrottleRate throttles calls to op with probability p.
func (s *Server) SetThrottleRate(op string, p float64) { s.SetFaultRate(FaultThrottle, op, p) }

// ThrottleNext throttles the next n calls to op.
func (s *Server) ThrottleNext(op string, n int) { s.FailNext(FaultThrottle, op, n) }

// SetServerErrorRate answers ServerException to op with probability p.
func (s *Server) SetServerErrorRate(op string, p float64) { s.SetFaultRate(FaultServerError, op, p) }

// ServerErrorNext answers ServerException to the next n calls to op.
func (s *Server) ServerErrorNext(op string, n int) { s.FailNext(FaultServerError, op, n) }

// SetDropRate drops the connection of calls to op with probability p.
func (s *Server) SetDropRate(op string, p float64) { s.SetFaultRate(FaultDrop, op, p) }

// DropNext drops the connection of the next n calls to op.
func (s *Server) DropNext(op string, n int) { s.FailNext(FaultDrop, op, n) }

// DenyAccess answers AccessDeniedException to the given operations
// (AllOperations: every one).
func (s *Server) DenyAccess(ops ...string) {
	f := s.faults
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, op := range ops {
		f.deny[opKey(op)] = true
	}
}

// AllowAccess undoes DenyAccess for the given operations.
func (s *Server) AllowAccess(ops ...string) {
	f := s.faults
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, op := range ops {
		delete(f.deny, opKey(op))
	}
}

// SetHook runs h before each call to op is served (nil removes it).
func (s *Server) SetHook(op string, h Hook) {
	f := s.faults
	f.mu.Lock()
	defer f.mu.Unlock()
	if h == nil {
		delete(f.hooks, opKey(op))
		return
	}
	f.hooks[opKey(op)] = h
}

// ClearFaults removes every latency, fault, denial and hook.
func (s *Server) ClearFaults() {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.clear()
}

// Calls returns the number of requests received per operation since the
// last ResetCalls, faulted ones included.
func (s *Server) Calls() map[string]int {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	return maps.Clone(s.faults.calls)
}

// CallCount is Calls()[op].
func (s *Server) CallCount(op string) int {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	return s.faults.calls[op]
}

// ResetCalls zeroes the call counts.
func (s *Server) ResetCalls() {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.calls = map[string]int{}
}

// FaultConfig is the JSON form of the fault settings (admin endpoint
// /_emulator/faults). Maps are keyed by operation name or "*".
type FaultConfig struct {
	// Clear removes every earlier setting before applying this one.
	Clear           bool               `json:"clear,omitempty"`
	Latency         map[string]string  `json:"latency,omitempty"` // Go durations, "250ms"
	ThrottleRate    map[string]float64 `json:"throttleRate,omitempty"`
	ThrottleNext    map[string]int     `json:"throttleNext,omitempty"`
	ServerErrorRate map[string]float64 `json:"serverErrorRate,omitempty"`
	ServerErrorNext map[string]int     `json:"serverErrorNext,omitempty"`
	DropRate        map[string]float64 `json:"dropRate,omitempty"`
	DropNext        map[string]int     `json:"dropNext,omitempty"`
	Deny            []string           `json:"deny,omitempty"`
	Allow           []string           `json:"allow,omitempty"`
}

// ApplyFaults applies a FaultConfig.
func (s *Server) ApplyFaults(cfg FaultConfig) error {
	lat := map[string]time.Duration{}
	for op, v := range cfg.Latency {
		d, err := time.ParseDuration(v)
		if err != nil {
			return fmt.Errorf("ecremu: latency for %s: %w", op, err)
		}
		lat[op] = d
	}
	if cfg.Clear {
		s.ClearFaults()
	}
	for op, d := range lat {
		s.SetLatency(op, d)
	}
	for kind, rates := range map[FaultKind]map[string]float64{FaultThrottle: cfg.ThrottleRate,
		FaultServerError: cfg.ServerErrorRate, FaultDrop: cfg.DropRate} {
		for op, p := range rates {
			s.SetFaultRate(kind, op, p)
		}
	}
	for kind, nexts := range map[FaultKind]map[string]int{FaultThrottle: cfg.ThrottleNext,
		FaultServerError: cfg.ServerErrorNext, FaultDrop: cfg.DropNext} {
		for op, n := range nexts {
			s.FailNext(kind, op, n)
		}
	}
	s.DenyAccess(cfg.Deny...)
	s.AllowAccess(cfg.Allow...)
	return nil
}

// Faults returns the current fault settings (hooks excluded).
func (s *Server) Faults() FaultConfig {
	f := s.faults
	f.mu.Lock()
	defer f.mu.Unlock()
	out := FaultConfig{Latency: map[string]string{}}
	for op, d := range f.latency {
		out.Latency[op] = d.String()
	}
	fill := func(kind FaultKind, rates *map[string]float64, nexts *map[string]int) {
		for op, r := range f.rules[kind] {
			if r.rateSet && r.rate > 0 {
				if *rates == nil {
					*rates = map[string]float64{}
				}
				(*rates)[op] = r.rate
			}
			if r.next > 0 {
				if *nexts == nil {
					*nexts = map[string]int{}
				}
				(*nexts)[op] = r.next
			}
		}
	}
	fill(FaultThrottle, &out.ThrottleRate, &out.ThrottleNext)
	fill(FaultServerError, &out.ServerErrorRate, &out.ServerErrorNext)
	fill(FaultDrop, &out.DropRate, &out.DropNext)
	out.Deny = slices.Sorted(maps.Keys(f.deny))
	return out
}
