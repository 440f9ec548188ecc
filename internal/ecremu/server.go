package ecremu

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults of a new Server.
const (
	DefaultAccount        = "123456789012"
	DefaultRegion         = "us-east-1"
	DefaultResponseSettle = 5 * time.Millisecond
)

// Server is a local Amazon ECR emulator. It is an http.Handler; Start
// serves it on a loopback listener. All methods are safe for concurrent use.
type Server struct {
	mu          sync.RWMutex // guards account, legacyBasic and regions
	account     string
	legacyBasic bool
	regions     map[string]*regionState

	clock  func() time.Time
	settle time.Duration
	logger *log.Logger
	faults *faults
	panics atomic.Int64
	reqSeq atomic.Uint64

	lnMu sync.Mutex
	ln   net.Listener
	hs   *http.Server
}

// Option configures a Server.
type Option func(*Server)

// WithAccount sets the registry id (12 digits) the server answers for.
func WithAccount(id string) Option { return func(s *Server) { s.account = id } }

// WithLegacyFlagScansUnderBasic sets whether, under BASIC scanning with no
// matching rule, the legacy repository flag yields SCAN_ON_PUSH (default
// true; ECR.md marks the behaviour unconfirmed).
func WithLegacyFlagScansUnderBasic(b bool) Option { return func(s *Server) { s.legacyBasic = b } }

// WithClock replaces time.Now (creation times, push times, the 24-hour
// StartImageScan quota).
func WithClock(now func() time.Time) Option { return func(s *Server) { s.clock = now } }

// WithResponseSettle sets how long an answer larger than the client's
// read buffer waits before it is written (DefaultResponseSettle; 0
// disables). It guards plain aws-sdk-go-v2 clients against a race of
// smithy-go 1.28 with net/http: the SDK closes the request body as soon as
// response headers arrive, while the transport's writer may not have
// finished with it; the transport then closes the connection and a large
// body read fails with "use of closed network connection". Real AWS is
// never fast enough to trigger it; a loopback emulator is. A client that
// buffers its request bodies (HTTPClient, or the provider's own) is immune,
// and tests of such a client should pass 0 so that they prove it.
func WithResponseSettle(d time.Duration) Option { return func(s *Server) { s.settle = d } }

// WithLogger logs one line per API request.
func WithLogger(l *log.Logger) Option { return func(s *Server) { s.logger = l } }

// WithRandSeed seeds the generator behind probabilistic faults.
func WithRandSeed(seed uint64) Option { return func(s *Server) { s.faults.reseed(seed) } }

// New returns an empty emulator: every Region starts with BASIC scanning,
// no rules and no repositories.
func New(opts ...Option) *Server {
	s := &Server{account: DefaultAccount, legacyBasic: true, regions: map[string]*regionState{},
		clock: time.Now, settle: DefaultResponseSettle, faults: newFaults()}
	for _, o := range opts {
		o(s)
	}
	if !registryIDRE.MatchString(s.account) {
		s.account = DefaultAccount
	}
	return s
}

func (s *Server) now() time.Time { return s.clock() }

// Start serves the emulator on addr (e.g. "127.0.0.1:0"); see URL.
func (s *Server) Start(addr string) error {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	s.lnMu.Lock()
	defer s.lnMu.Unlock()
	if s.ln != nil {
		return errors.New("ecremu: server already started")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second, ErrorLog: log.New(io.Discard, "", 0)}
	s.ln, s.hs = ln, hs
	go func() { _ = hs.Serve(ln) }()
	return nil
}

// URL is the base URL of a started server ("" before Start).
func (s *Server) URL() string {
	s.lnMu.Lock()
	defer s.lnMu.Unlock()
	if s.ln == nil {
		return ""
	}
	return "http://" + s.ln.Addr().String()
}

// Close stops a started server and its open connections.
func (s *Server) Close() error {
	s.lnMu.Lock()
	defer s.lnMu.Unlock()
	if s.hs == nil {
		return nil
	}
	err := s.hs.Close()
	s.hs, s.ln = nil, nil
	return err
}

// Panics counts handler panics answered as ServerException (a bug).
func (s *Server) Panics() int64 { return s.panics.Load() }

// call carries one request's context to an operation handler.
type call struct {
	op      string
	region  string
	account string
}

// ServeHTTP answers ECR API calls (POST / with X-Amz-Target) and the admin
// endpoints under /_emulator/.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, adminPrefix) {
		s.serveAdmin(w, r)
		return
	}
	start := time.Now()
	region := regionFromAuth(r.Header.Get("Authorization"))
	sw := &statusWriter{ResponseWriter: w}
	op := s.serveAPI(sw, r, region)
	if s.logger != nil {
		s.logger.Printf("%s %s region=%s status=%d dur=%s", r.Method, op, region, sw.status,
			time.Since(start).Round(time.Microsecond))
	}
}

func (s *Server) serveAPI(w *statusWriter, r *http.Request, region string) string {
	reqID := fmt.Sprintf("ecremu-%08d", s.reqSeq.Add(1))
	if r.Method != http.MethodPost || (r.URL.Path != "/" && r.URL.Path != "") {
		writeAPIError(w, reqID, &apiError{Code: codeUnknownOperation, Status: http.StatusNotFound,
			Message: "ECR is served by POST / with an X-Amz-Target header"})
		return "-"
	}
	target := r.Header.Get("X-Amz-Target")
	name, hasPrefix := strings.CutPrefix(target, targetPrefix)
	op, known := operations[name]
	if !hasPrefix || !known {
		writeAPIError(w, reqID, newAPIError(codeUnknownOperation, "Unknown operation %q", target))
		return "unknown"
	}
	s.faults.recordCall(name)
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBody+1))
	if err != nil {
		writeAPIError(w, reqID, newAPIError(codeSerialization, "Could not read the request body: %v", err))
		return name
	}
	if len(body) > maxRequestBody {
		writeAPIError(w, reqID, newAPIError(codeSerialization, "Request body exceeds %d bytes", maxRequestBody))
		return name
	}
	plan := s.faults.plan(name)
	if plan.latency > 0 && !sleepCtx(r.Context(), plan.latency) {
		return name
	}
	switch plan.fault {
	case FaultDrop:
		dropConnection(w)
		return name
	case FaultThrottle:
		writeAPIError(w, reqID, newAPIError(codeThrottling, "Rate exceeded"))
		return name
	case FaultServerError:
		writeAPIError(w, reqID, newAPIError(codeServer, "Internal service error (injected by the emulator)"))
		return name
	}
	in, aerr := op.decode(body)
	if aerr != nil {
		writeAPIError(w, reqID, aerr)
		return name
	}
	s.mu.RLock()
	c := &call{op: name, region: region, account: s.account}
	s.mu.RUnlock()
	if s.faults.denied(name) {
		writeAPIError(w, reqID, s.accessDenied(c, in))
		return name
	}
	s.faults.runHook(name, region)
	out, aerr := s.dispatch(op, c, in)
	if aerr != nil {
		writeAPIError(w, reqID, aerr)
		return name
	}
	if err := writeAPIResult(r.Context(), w, reqID, out, s.settle); err != nil && w.status == 0 {
		writeAPIError(w, reqID, newAPIError(codeServer, "could not encode the response: %v", err))
	}
	return name
}

// dispatch runs an operation under the state lock, turning a panic into a
// ServerException (and counting it, so tests and fuzzing can fail on it).
func (s *Server) dispatch(op operation, c *call, in any) (out any, aerr *apiError) {
	defer func() {
		if p := recover(); p != nil {
			s.panics.Add(1)
			out, aerr = nil, newAPIError(codeServer, "internal error: %v", p)
		}
	}()
	if op.write {
		s.mu.Lock()
		defer s.mu.Unlock()
	} else {
		s.mu.RLock()
		defer s.mu.RUnlock()
	}
	return op.serve(s, c, in)
}

func (s *Server) accessDenied(c *call, in any) *apiError {
	resource := repoARN(c.region, c.account, "*")
	if rn, ok := in.(repoScoped); ok {
		if name := rn.repoName(); name != "" {
			resource = repoARN(c.region, c.account, name)
		}
	} else if registryLevel[c.op] {
		resource = "*"
	}
	return newAPIError(codeAccessDenied,
		"User: arn:aws:iam::%s:user/emulator is not authorized to perform: ecr:%s on resource: %s "+
			"because no identity-based policy allows the ecr:%s action",
		c.account, c.op, resource, c.op)
}

// registryLevel operations act on the registry, not a repository.
var registryLevel = map[string]bool{"DescribeRegistry": true, "GetRegistryScanningConfiguration": true,
	"PutRegistryScanningConfiguration": true}

// repoScoped inputs name the repository they act on.
type repoScoped interface{ repoName() string }

func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// dropConnection closes the connection without an answer.
func dropConnection(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

// statusWriter records the status written, and keeps Hijack available.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := w.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("ecremu: connection cannot be hijacked")
	}
	w.status = -1
	return hj.Hijack()
}

// operation is one ECR API operation.
type operation struct {
	write  bool
	decode func(body []byte) (any, *apiError)
	serve  func(s *Server, c *call, in any) (any, *apiError)
}

func defineOp[T any](write bool, serve func(*Server, *call, *T) (any, *apiError)) operation {
	return operation{
		write: write,
		decode: func(body []byte) (any, *apiError) {
			in := new(T)
			if e := decodeInput(body, in); e != nil {
				return nil, e
			}
			return in, nil
		},
		serve: func(s *Server, c *call, in any) (any, *apiError) { return serve(s, c, in.(*T)) },
	}
}

// operations maps X-Amz-Target operation names to handlers.
var operations map[string]operation

func init() {
	operations = map[string]operation{
		"DescribeRegistry":                        defineOp(false, (*Server).describeRegistry),
		"GetRegistryScanningConfiguration":        defineOp(false, (*Server).getRegistryScanning),
		"PutRegistryScanningConfiguration":        defineOp(true, (*Server).putRegistryScanning),
		"BatchGetRepositoryScanningConfiguration": defineOp(false, (*Server).batchGetRepoScanning),
		"DescribeRepositories":                    defineOp(false, (*Server).describeRepositories),
		"CreateRepository":                        defineOp(true, (*Server).createRepository),
		"DeleteRepository":                        defineOp(true, (*Server).deleteRepository),
		"PutImageScanningConfiguration":           defineOp(true, (*Server).putImageScanning),
		"DescribeImages":                          defineOp(false, (*Server).describeImages),
		"BatchGetImage":                           defineOp(false, (*Server).batchGetImage),
		"DescribeImageScanFindings":               defineOp(false, (*Server).describeImageScanFindings),
		"StartImageScan":                          defineOp(true, (*Server).startImageScan),
	}
}

// Operations lists the operation names the emulator serves.
func Operations() []string {
	out := make([]string, 0, len(operations))
	for name := range operations {
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}
