package ecremu

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzDecodeRequest drives arbitrary bodies through the request path of
// every operation (decoding, validation, handling): the server must always
// answer a well-formed JSON 1.1 document and never panic.
func FuzzDecodeRequest(f *testing.F) {
	ops := Operations()
	seeds := []string{
		`{}`, ``, `null`, `[]`, `{"maxResults":1000}`, `{"repositoryNames":["prod/web","x"]}`,
		`{"repositoryName":"prod/web","imageIds":[{"imageTag":"v1"},{"imageDigest":"sha256:00"}]}`,
		`{"repositoryName":"prod/web","imageId":{"imageTag":"v2"},"maxResults":1,"nextToken":"ZWNyZW11MQ"}`,
		`{"scanType":"ENHANCED","rules":[{"scanFrequency":"CONTINUOUS_SCAN","repositoryFilters":[{"filter":"*","filterType":"WILDCARD"}]}]}`,
		`{"rules":[{"repositoryFilters":[{}]},null]}`, `{"repositoryName":null}`, `{"filter":{"tagStatus":1}}`,
		`{"maxResults":99999999999}`, `{"imageIds":[null]}`, "{\"repositoryName\":\"\xff\xfe\"}", `{"a":1}{`,
	}
	for i, s := range seeds {
		f.Add(uint8(i), []byte(s))
	}
	// No response settle: the recorder is not a network client, and a 5ms
	// sleep per large answer would spend the fuzz time on waiting.
	s := New(WithResponseSettle(0))
	must(f, s.LoadSeedFile("testdata/sample.json"))
	f.Fuzz(func(t *testing.T, opIndex uint8, body []byte) {
		target := targetPrefix + ops[int(opIndex)%len(ops)]
		if opIndex == 255 {
			target = string(body)
		}
		req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		req.Header.Set("X-Amz-Target", target)
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if s.Panics() != 0 {
			t.Fatalf("handler panicked on %s %q: %s", target, body, rec.Body)
		}
		var doc map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
			t.Fatalf("answer to %q is not a JSON object: %q", body, rec.Body)
		}
		switch rec.Code {
		case 200:
		case 400, 404:
			if typ, _ := doc["__type"].(string); typ == "" || rec.Header().Get("X-Amzn-ErrorType") != typ {
				t.Fatalf("error answer without a type: %v", doc)
			}
		default:
			t.Fatalf("status %d for %q: %s", rec.Code, body, rec.Body)
		}
		// Direct decoding of every shape must not panic either.
		for _, name := range ops {
			_, _ = operations[name].decode(body)
		}
	})
}

// FuzzMatchFilter checks the matcher against a regexp translation of the
// documented rule.
func FuzzMatchFilter(f *testing.F) {
	for filter := range filterTable {
		for _, name := range filterNames {
			f.Add(filter, name)
		}
	}
	f.Add("a*b*a", "abababa")
	f.Add("**a", "a")
	f.Fuzz(func(t *testing.T, filter, name string) {
		if len(filter) > 64 || len(name) > 256 || !validUTF8(filter, name) {
			return
		}
		var want bool
		if !strings.Contains(filter, "*") {
			want = strings.Contains(name, filter)
		} else {
			parts := strings.Split(filter, "*")
			for i, p := range parts {
				parts[i] = regexp.QuoteMeta(p)
			}
			want = regexp.MustCompile(`^(?s:` + strings.Join(parts, ".*") + `)$`).MatchString(name)
		}
		if got := matchFilter(filter, name); got != want {
			t.Fatalf("matchFilter(%q, %q) = %v, regexp says %v", filter, name, got, want)
		}
	})
}

// validUTF8 limits the regexp comparison to text: on invalid bytes the
// regexp engine matches runes, the matcher bytes.
func validUTF8(ss ...string) bool {
	for _, s := range ss {
		if !utf8.ValidString(s) {
			return false
		}
	}
	return true
}
