package ecremu

import (
	"bytes"
	"io"
	"net/http"
	"time"
)

// HTTPClient returns an HTTP client for talking to the emulator from the AWS
// SDK (ecr.Options.HTTPClient, or config.WithHTTPClient). It buffers each
// request body in memory before sending, which removes the race described at
// WithResponseSettle: net/http then writes headers and body in one piece and
// never touches the SDK's request body after the SDK closes it.
func HTTPClient() *http.Client {
	return &http.Client{Transport: bufferedBodyTransport{base: &http.Transport{
		Proxy:               nil, // the emulator is on loopback; never proxy
		MaxIdleConns:        100,
		MaxIdleConnsPerHost: 100,
		IdleConnTimeout:     90 * time.Second,
	}}}
}

type bufferedBodyTransport struct {
	base http.RoundTripper
}

func (t bufferedBodyTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return t.base.RoundTrip(req)
	}
	b, err := io.ReadAll(req.Body)
	_ = req.Body.Close()
	if err != nil {
		return nil, err
	}
	clone := req.Clone(req.Context())
	clone.Body = io.NopCloser(bytes.NewReader(b))
	clone.ContentLength = int64(len(b))
	clone.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	return t.base.RoundTrip(clone)
}
