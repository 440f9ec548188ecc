package awsecr

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
)

// answering serves every ECR call with one AWS JSON error, and returns a
// client of it that does not retry.
func answering(t *testing.T, status int, code, message string) *Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(status)
		_, _ = fmt.Fprintf(w, `{"__type":%q,"message":%q}`, code, message)
	}))
	t.Cleanup(srv.Close)
	api := ecr.New(ecr.Options{Region: region, BaseEndpoint: aws.String(srv.URL),
		Retryer:     aws.NopRetryer{},
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", "")})
	return &Client{api: api, Region: region, concurrency: 2}
}

func TestWrap_classifiesEachErrorCodeAsOneKind(t *testing.T) {
	kinds := map[string]error{
		"not found": ErrNotFound, "repository not found": ErrRepositoryNotFound,
		"image not found": ErrImageNotFound, "scan not found": ErrScanNotFound,
		"denied": ErrDenied, "credentials": ErrCredentials, "quota": ErrQuota,
		"invalid": ErrInvalid, "server": ErrServer, "throttled": ErrThrottled,
	}
	cases := []struct {
		code   string
		status int
		want   []string // the kinds errors.Is matches; every other kind must not
		fix    []string
	}{
		{"UnrecognizedClientException", 400, []string{"credentials"},
			[]string{"aws sso login", "profile", "access_key", "assume_role"}},
		{"InvalidSignatureException", 403, []string{"credentials"}, []string{"renew"}},
		{"ExpiredTokenException", 400, []string{"credentials"}, []string{"Refresh"}},
		{"ExpiredToken", 403, []string{"credentials"}, []string{"Refresh"}},
		{"InvalidClientTokenId", 403, []string{"credentials"}, []string{"Refresh"}},
		{"AccessDeniedException", 400, []string{"denied"},
			[]string{"Allow ecr:GetRegistryScanningConfiguration on the registry in " + region}},
		{"LimitExceededException", 400, []string{"quota"}, []string{"quota", "increase"}},
		{"ValidationException", 400, []string{"invalid"}, []string{"invalid"}},
		{"RepositoryNotFoundException", 400, []string{"not found", "repository not found"}, nil},
		{"ImageNotFoundException", 400, []string{"not found", "image not found"}, nil},
		{"ScanNotFoundException", 400, []string{"not found", "scan not found"}, nil},
		{"RegistryPolicyNotFoundException", 400, []string{"not found"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.code, func(t *testing.T) {
			c := answering(t, tc.status, tc.code, "the message")
			_, err := c.RegistryScanning(context.Background())

			var ce *CallError
			if !errors.As(err, &ce) {
				t.Fatalf("error %v (%T) is not a *CallError", err, err)
			}
			for name, kind := range kinds {
				want := false
				for _, w := range tc.want {
					want = want || w == name
				}
				if errors.Is(err, kind) != want {
					t.Errorf("errors.Is(%s, %s) = %t, want %t", tc.code, name, !want, want)
				}
			}
			if !strings.Contains(err.Error(), tc.code+": the message") {
				t.Errorf("error %q does not carry ECR's code and message", err)
			}
			for _, s := range tc.fix {
				if !strings.Contains(ce.Fix(), s) {
					t.Errorf("fix %q does not say %q", ce.Fix(), s)
				}
			}
		})
	}
}

func TestWrap_interruptedCallHasNoKind(t *testing.T) {
	err := wrap("DescribeImages", "repository app in "+region,
		fmt.Errorf("operation error ECR: DescribeImages: %w", context.Canceled))
	var ce *CallError
	if !errors.As(err, &ce) || ce.Kind != nil || !errors.Is(err, context.Canceled) {
		t.Fatalf("got %#v, want a CallError of no kind wrapping the cancellation", err)
	}
}
