// Package awsecr is the provider's access to Amazon ECR: it loads AWS
// configuration the way the AWS SDK and the AWS provider do, and wraps the
// ECR calls the provider makes in finders that page, batch, bound their
// concurrency and turn typed AWS errors into the project's own.
package awsecr

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
)

// Defaults chosen from the measurements in BENCHMARKS.md.
const (
	DefaultMaxRetries  = 8
	DefaultConcurrency = 8
	maxBackoff         = 10 * time.Second
	// attemptTimeout bounds one attempt of one call, so an endpoint that
	// never answers costs at most (max_retries+1) attempts, not a hang. ECR
	// answers its largest page in well under a second.
	attemptTimeout = 30 * time.Second
)

// Settings are the provider arguments that shape AWS access. Zero values
// leave the SDK's default chain in charge.
type Settings struct {
	Region                 string
	Profile                string
	AccessKey              string
	SecretKey              string
	Token                  string
	SharedConfigFiles      []string
	SharedCredentialsFiles []string
	AssumeRole             *AssumeRole
	ECREndpoint            string
	MaxRetries             *int
	// RetryMode is RetryStandard (the default) or RetryAdaptive.
	RetryMode   string
	Concurrency int
	UserAgent   string
	// MaxBackoff caps the wait between two attempts of one call; zero means
	// 10 seconds. The provider schema does not expose it: tests shorten it
	// so that retried faults finish in milliseconds.
	MaxBackoff time.Duration
	// AttemptTimeout bounds one attempt of one call; zero means 30 seconds.
	// Like MaxBackoff, only tests shorten it.
	AttemptTimeout time.Duration
}

// AssumeRole is the assume_role block.
type AssumeRole struct {
	RoleARN     string
	SessionName string
	ExternalID  string
	Duration    time.Duration
}

// Retry modes, as the AWS SDK names them.
const (
	RetryStandard = "standard"
	RetryAdaptive = "adaptive"
)

// RetryModes lists every retry mode.
var RetryModes = []string{RetryStandard, RetryAdaptive}

// newRetryer bounds every call to maxRetries retries with jittered
// exponential back-off. The adaptive mode also slows the client down after
// throttling; measured in BENCHMARKS.md, it turns 20% throttling from a
// busy account into a read hundreds of times slower, so it is opt-in.
func newRetryer(mode string, maxRetries int, backoff time.Duration) aws.Retryer {
	standard := func(so *retry.StandardOptions) {
		so.MaxAttempts = maxRetries + 1
		so.MaxBackoff = backoff
		// The SDK's default retry quota (500 tokens a client) is shared by
		// every call of the provider's run: once a burst spends it, later
		// calls fail at their first error whatever max_retries says.
		// max_retries is the bound, per call.
		so.RateLimiter = ratelimit.None
	}
	if mode == RetryAdaptive {
		return retry.NewAdaptiveMode(func(o *retry.AdaptiveModeOptions) {
			o.StandardOptions = append(o.StandardOptions, standard)
		})
	}
	return retry.NewStandard(standard)
}

// Session holds the loaded AWS configuration and hands out a Client per
// Region, built once and shared.
type Session struct {
	cfg         aws.Config
	endpoint    string
	concurrency int
	// roleARN is the assume_role role, when one is configured.
	roleARN string

	mu      sync.Mutex
	clients map[string]*Client
}

// NewSession loads AWS configuration from the settings and the SDK's default
// chain (environment, shared files, SSO, web identity, instance roles).
// Credentials are resolved lazily, on the first call.
func NewSession(ctx context.Context, s Settings) (*Session, error) {
	maxRetries := DefaultMaxRetries
	if s.MaxRetries != nil {
		maxRetries = *s.MaxRetries
	}
	backoff := maxBackoff
	if s.MaxBackoff > 0 {
		backoff = s.MaxBackoff
	}
	concurrency := s.Concurrency
	if concurrency <= 0 {
		concurrency = DefaultConcurrency
	}
	opts := []func(*config.LoadOptions) error{
		config.WithRetryer(func() aws.Retryer { return newRetryer(s.RetryMode, maxRetries, backoff) }),
		config.WithHTTPClient(newHTTPClient(concurrency, s.AttemptTimeout)),
	}
	if s.Region != "" {
		opts = append(opts, config.WithRegion(s.Region))
	}
	if s.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(s.Profile))
	}
	if len(s.SharedConfigFiles) > 0 {
		opts = append(opts, config.WithSharedConfigFiles(s.SharedConfigFiles))
	}
	if len(s.SharedCredentialsFiles) > 0 {
		opts = append(opts, config.WithSharedCredentialsFiles(s.SharedCredentialsFiles))
	}
	if s.AccessKey != "" || s.SecretKey != "" {
		if s.AccessKey == "" || s.SecretKey == "" {
			return nil, errors.New("access_key and secret_key must be set together")
		}
		opts = append(opts, config.WithCredentialsProvider(
			credentials.NewStaticCredentialsProvider(s.AccessKey, s.SecretKey, s.Token)))
	}

	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("loading AWS configuration: %w", err)
	}
	if s.UserAgent != "" {
		cfg.AppID = s.UserAgent
	}
	roleARN := ""
	if ar := s.AssumeRole; ar != nil {
		roleARN = ar.RoleARN
		provider := stscreds.NewAssumeRoleProvider(sts.NewFromConfig(cfg), ar.RoleARN,
			func(o *stscreds.AssumeRoleOptions) {
				if ar.SessionName != "" {
					o.RoleSessionName = ar.SessionName
				}
				if ar.ExternalID != "" {
					o.ExternalID = aws.String(ar.ExternalID)
				}
				if ar.Duration > 0 {
					o.Duration = ar.Duration
				}
			})
		cfg.Credentials = aws.NewCredentialsCache(provider)
	}

	return &Session{cfg: cfg, endpoint: s.ECREndpoint, concurrency: concurrency, roleARN: roleARN,
		clients: map[string]*Client{}}, nil
}

// Region is the Region the provider configuration resolved, if any.
func (s *Session) Region() string { return s.cfg.Region }

// Client returns the ECR client for a Region; an empty region means the
// provider's.
func (s *Session) Client(ctx context.Context, region string) (*Client, error) {
	if region == "" {
		region = s.cfg.Region
	}
	if region == "" {
		return nil, ErrNoRegion
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.clients[region]; ok {
		return c, nil
	}
	if err := s.checkCredentials(ctx); err != nil {
		return nil, err
	}
	api := ecr.NewFromConfig(s.cfg, func(o *ecr.Options) {
		o.Region = region
		o.HTTPClient = ownBodyClient{inner: o.HTTPClient}
		if s.endpoint != "" {
			o.BaseEndpoint = aws.String(s.endpoint)
		}
	})
	c := &Client{api: api, Region: region, concurrency: s.concurrency}
	s.clients[region] = c
	return c, nil
}

// checkCredentials resolves credentials once so that a missing chain is
// reported as such, not as a failed ECR call.
func (s *Session) checkCredentials(ctx context.Context) error {
	if s.cfg.Credentials == nil {
		return ErrNoCredentials
	}
	_, err := s.cfg.Credentials.Retrieve(ctx)
	var apiErr smithy.APIError
	switch {
	case err == nil:
		return nil
	case s.roleARN != "" && errors.As(err, &apiErr):
		// STS answered: the chain found credentials, and AssumeRole failed.
		return wrapAction("sts:AssumeRole", "role "+s.roleARN, err)
	}
	return fmt.Errorf("%w: %w", ErrNoCredentials, err)
}

// newHTTPClient sizes the connection pool to the request concurrency so that
// parallel calls reuse connections instead of opening new ones. It stays an
// SDK buildable client, so AWS_CA_BUNDLE and other SDK settings still apply.
func newHTTPClient(concurrency int, timeout time.Duration) *awshttp.BuildableClient {
	if timeout <= 0 {
		timeout = attemptTimeout
	}
	return awshttp.NewBuildableClient().WithTransportOptions(func(t *http.Transport) {
		t.MaxIdleConnsPerHost = concurrency * 2
	}).WithTimeout(timeout)
}

// ownBodyClient gives net/http a request body of its own. The SDK closes the
// body it built as soon as the response headers arrive, while net/http's
// writer may still read that body once more to find its end; the read fails,
// net/http drops the connection, and the response body with it ("use of
// closed network connection"). Only endpoints that answer within
// microseconds (loopback, a nearby VPC endpoint) are fast enough to hit it,
// where it costs a retry, or the call with max_retries = 0. ECR request
// bodies are small JSON documents, so buffering them costs nothing.
type ownBodyClient struct {
	inner aws.HTTPClient
}

func (c ownBodyClient) Do(req *http.Request) (*http.Response, error) {
	if req.Body != nil && req.Body != http.NoBody {
		body, err := io.ReadAll(req.Body)
		_ = req.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("reading the request body: %w", err)
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
		req.GetBody = func() (io.ReadCloser, error) {
			return io.NopCloser(bytes.NewReader(body)), nil
		}
		req.ContentLength = int64(len(body))
	}
	return c.inner.Do(req)
}
