package ecremu

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// rawAnswer is what rawCall's callers check of the HTTP answer.
type rawAnswer struct {
	StatusCode int
	Header     http.Header
}

// rawCall posts a JSON 1.1 request by hand.
func rawCall(t *testing.T, s *Server, target, body, auth string) (rawAnswer, map[string]any) {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	if target != "" {
		req.Header.Set("X-Amz-Target", target)
	}
	req.Header.Set("Content-Type", jsonContentType)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	res := rec.Result()
	b, _ := io.ReadAll(res.Body)
	must(t, res.Body.Close())
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("answer is not JSON: %q", b)
	}
	return rawAnswer{StatusCode: res.StatusCode, Header: res.Header}, doc
}

func TestProtocolErrors(t *testing.T) {
	s := New()
	cases := []struct {
		name, target, body, code string
		status                   int
	}{
		{"unknown operation", targetPrefix + "ListEverything", `{}`, codeUnknownOperation, 400},
		{"missing target", "", `{}`, codeUnknownOperation, 400},
		{"wrong service prefix", "AmazonS3.DescribeRepositories", `{}`, codeUnknownOperation, 400},
		{"malformed JSON", targetPrefix + "DescribeRepositories", `{"maxResults":`, codeSerialization, 400},
		{"not an object", targetPrefix + "DescribeRepositories", `[1,2]`, codeSerialization, 400},
		{"wrong member type", targetPrefix + "DescribeRepositories", `{"maxResults":"ten"}`, codeSerialization, 400},
		{"fractional integer", targetPrefix + "DescribeRepositories", `{"maxResults":1.5}`, codeSerialization, 400},
		{"trailing garbage", targetPrefix + "DescribeRepositories", `{} {}`, codeSerialization, 400},
		{"repository missing", targetPrefix + "DescribeImages", `{"repositoryName":"nope"}`, codeRepositoryNotFound, 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, doc := rawCall(t, s, tc.target, tc.body, "")
			if res.StatusCode != tc.status || doc["__type"] != tc.code {
				t.Fatalf("got %d %v, want %d %s", res.StatusCode, doc, tc.status, tc.code)
			}
			if res.Header.Get("X-Amzn-ErrorType") != tc.code || doc["message"] == "" {
				t.Fatalf("headers %v body %v", res.Header, doc)
			}
			if ct := res.Header.Get("Content-Type"); ct != jsonContentType {
				t.Fatalf("content type %q", ct)
			}
		})
	}
}

func TestEmptyBodyIsEmptyInput(t *testing.T) {
	s := New()
	res, doc := rawCall(t, s, targetPrefix+"DescribeRepositories", "", "")
	if res.StatusCode != 200 {
		t.Fatalf("status %d %v", res.StatusCode, doc)
	}
	if repos, ok := doc["repositories"].([]any); !ok || len(repos) != 0 {
		t.Fatalf("repositories = %v", doc["repositories"])
	}
}

func TestRegionFromCredentialScope(t *testing.T) {
	s := New()
	must(t, s.CreateRepository("eu-west-1", "only-in-ireland", false))
	auth := "AWS4-HMAC-SHA256 Credential=AKID/20261203/eu-west-1/ecr/aws4_request, SignedHeaders=host, Signature=abc"
	_, doc := rawCall(t, s, targetPrefix+"DescribeRepositories", `{}`, auth)
	repos := doc["repositories"].([]any)
	if len(repos) != 1 {
		t.Fatalf("eu-west-1 repositories = %v", repos)
	}
	r := repos[0].(map[string]any)
	if r["repositoryArn"] != "arn:aws:ecr:eu-west-1:123456789012:repository/only-in-ireland" ||
		r["repositoryUri"] != "123456789012.dkr.ecr.eu-west-1.amazonaws.com/only-in-ireland" {
		t.Fatalf("repository = %v", r)
	}
	if _, isNumber := r["createdAt"].(float64); !isNumber {
		t.Fatalf("createdAt is not an epoch number: %#v", r["createdAt"])
	}
	_, doc = rawCall(t, s, targetPrefix+"DescribeRepositories", `{}`, "")
	if len(doc["repositories"].([]any)) != 0 {
		t.Fatalf("default region sees %v", doc["repositories"])
	}
	for _, h := range []string{"", "garbage", "Credential=AKID/20261203", "Credential=A/B/EU WEST/ecr/aws4_request"} {
		if got := regionFromAuth(h); got != DefaultRegion {
			t.Errorf("regionFromAuth(%q) = %q", h, got)
		}
	}
}

func TestNonPostIsRejected(t *testing.T) {
	s := New()
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if rec.Code != http.StatusNotFound || !strings.Contains(rec.Body.String(), codeUnknownOperation) {
		t.Fatalf("GET / = %d %s", rec.Code, rec.Body)
	}
}

func TestEpochTimeMarshal(t *testing.T) {
	tm := mustTime("2025-03-01T10:00:00.250Z")
	b, _ := json.Marshal(epoch(tm))
	if string(b) != "1740823200.25" {
		t.Fatalf("epoch = %s", b)
	}
}

func TestTokensAreScoped(t *testing.T) {
	tok := encodeToken("DescribeImages", "us-east-1", "repo", "sha256:abc")
	if k, ok := decodeToken(tok, "DescribeImages", "us-east-1", "repo"); !ok || k != "sha256:abc" {
		t.Fatalf("round trip = %q %v", k, ok)
	}
	for _, bad := range [][3]string{{"DescribeRepositories", "us-east-1", "repo"}, {"DescribeImages", "eu-west-1", "repo"}, {"DescribeImages", "us-east-1", "other"}} {
		if _, ok := decodeToken(tok, bad[0], bad[1], bad[2]); ok {
			t.Errorf("token accepted for %v", bad)
		}
	}
	if _, ok := decodeToken("!!!", "DescribeImages", "us-east-1", "repo"); ok {
		t.Error("garbage token accepted")
	}
}
