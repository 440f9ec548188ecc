package ecremu

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Wire constants of ECR's AWS JSON 1.1 protocol.
const (
	targetPrefix    = "AmazonEC2ContainerRegistry_V20150921."
	jsonContentType = "application/x-amz-json-1.1"
	maxRequestBody  = 4 << 20
)

// Error codes the emulator answers with (the `__type` of the error body).
const (
	codeRepositoryNotFound      = "RepositoryNotFoundException"
	codeRepositoryAlreadyExists = "RepositoryAlreadyExistsException"
	codeRepositoryNotEmpty      = "RepositoryNotEmptyException"
	codeImageNotFound           = "ImageNotFoundException"
	codeScanNotFound            = "ScanNotFoundException"
	codeValidation              = "ValidationException"
	codeInvalidParameter        = "InvalidParameterException"
	codeServer                  = "ServerException"
	codeLimitExceeded           = "LimitExceededException"
	codeAccessDenied            = "AccessDeniedException"
	codeThrottling              = "ThrottlingException"
	codeUnsupportedImageType    = "UnsupportedImageTypeException"
	codeUnknownOperation        = "UnknownOperationException"
	codeSerialization           = "SerializationException"
	codeImageTagAlreadyExists   = "ImageTagAlreadyExistsException"
)

// apiError is an ECR error answer: HTTP status, `__type` and message.
type apiError struct {
	Code    string
	Message string
	Status  int
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

func newAPIError(code, format string, args ...any) *apiError {
	status := http.StatusBadRequest
	if code == codeServer {
		status = http.StatusInternalServerError
	}
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	return &apiError{Code: code, Message: msg, Status: status}
}

func errRepoNotFound(name, registry string) *apiError {
	return newAPIError(codeRepositoryNotFound,
		"The repository with name '%s' does not exist in the registry with id '%s'", name, registry)
}

func errImageNotFound(id imageIDIn, repo, registry string) *apiError {
	return newAPIError(codeImageNotFound,
		"The image with imageId %s does not exist within the repository with name '%s' "+
			"in the registry with id '%s'",
		id.describe(), repo, registry)
}

// errorBody is the JSON 1.1 error document.
type errorBody struct {
	Type    string `json:"__type"`
	Message string `json:"message"`
}

func writeAPIError(w http.ResponseWriter, reqID string, e *apiError) {
	b, _ := json.Marshal(errorBody{Type: e.Code, Message: e.Message})
	h := w.Header()
	h.Set("Content-Type", jsonContentType)
	h.Set("X-Amzn-ErrorType", e.Code)
	h.Set("X-Amzn-RequestId", reqID)
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(e.Status)
	_, _ = w.Write(b)
}

// settleThreshold approximates what a client's 4 KiB read buffer takes in
// with the headers: smaller answers are safe from the SDK race (see
// WithResponseSettle).
const settleThreshold = 3 << 10

func writeAPIResult(ctx context.Context, w http.ResponseWriter, reqID string, v any,
	settle time.Duration) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if settle > 0 && len(b) > settleThreshold && !sleepCtx(ctx, settle) {
		return nil
	}
	h := w.Header()
	h.Set("Content-Type", jsonContentType)
	h.Set("X-Amzn-RequestId", reqID)
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(b)
	return err
}

// decodeInput decodes a JSON 1.1 request body into v. An empty body or a
// bare `null` is an empty input, as AWS treats it. Anything that is not one
// JSON object of the operation's shape is a SerializationException.
func decodeInput(body []byte, v any) *apiError {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || bytes.Equal(trimmed, []byte("null")) {
		return nil
	}
	if trimmed[0] != '{' {
		return newAPIError(codeSerialization, "Start of structure or map expected, found %s", firstToken(trimmed))
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	if err := dec.Decode(v); err != nil {
		return serializationError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return newAPIError(codeSerialization, "Unexpected content after the end of the JSON document")
	}
	return nil
}

func firstToken(b []byte) string {
	if len(b) > 16 {
		b = b[:16]
	}
	return strconv.Quote(string(b))
}

func serializationError(err error) *apiError {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			field = "(root)"
		}
		return newAPIError(codeSerialization, "%s value can not be converted to %s at '%s'",
			strings.ToUpper(typeErr.Value), typeErr.Type.String(), field)
	case errors.As(err, &syntaxErr):
		return newAPIError(codeSerialization, "Malformed JSON at offset %d: %v", syntaxErr.Offset, err)
	default:
		return newAPIError(codeSerialization, "Could not parse the request body: %v", err)
	}
}

// epochTime marshals as JSON 1.1 timestamps do: epoch seconds, a JSON
// number with a fractional part of milliseconds.
type epochTime time.Time

func (t epochTime) MarshalJSON() ([]byte, error) {
	ms := time.Time(t).UnixMilli()
	return strconv.AppendFloat(nil, float64(ms)/1000, 'f', -1, 64), nil
}

func epoch(t time.Time) epochTime { return epochTime(t) }

// epochPtr is nil for the zero time, so optional timestamps are omitted.
func epochPtr(t time.Time) *epochTime {
	if t.IsZero() {
		return nil
	}
	e := epochTime(t)
	return &e
}

// regionFromAuth reads the Region from a SigV4 Authorization header's
// credential scope: Credential=AKID/DATE/REGION/SERVICE/aws4_request.
func regionFromAuth(header string) string {
	i := strings.Index(header, "Credential=")
	if i < 0 {
		return DefaultRegion
	}
	scope := header[i+len("Credential="):]
	if j := strings.IndexAny(scope, ", "); j >= 0 {
		scope = scope[:j]
	}
	parts := strings.Split(scope, "/")
	if len(parts) != 5 || !validRegionName(parts[2]) {
		return DefaultRegion
	}
	return parts[2]
}

func validRegionName(r string) bool {
	if len(r) < 2 || len(r) > 32 {
		return false
	}
	for i := 0; i < len(r); i++ {
		c := r[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
			return false
		}
	}
	return true
}

// Paging tokens are opaque to clients: a version, the operation, the
// Region, a scope (repository, image) and the key to resume after.
const tokenVersion = "ecremu1"

func encodeToken(op, region, scope, key string) string {
	raw := strings.Join([]string{tokenVersion, op, region, scope, key}, "\x00")
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

// decodeToken returns the resume key of a token issued for the same
// operation, Region and scope.
func decodeToken(tok, op, region, scope string) (string, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return "", false
	}
	parts := strings.SplitN(string(raw), "\x00", 5)
	if len(parts) != 5 || parts[0] != tokenVersion || parts[1] != op || parts[2] != region || parts[3] != scope {
		return "", false
	}
	return parts[4], true
}

// defaultMaxResults is the page size of a request without maxResults.
const defaultMaxResults = 100

func pageLimit(maxResults *int32) int {
	if maxResults == nil {
		return defaultMaxResults
	}
	return int(*maxResults)
}

// pageAfter serves one page of sorted keys, resuming after the key the
// request's nextToken carries, so that paging survives keys added or
// removed between calls.
func pageAfter(c *call, scope string, keys []string, token *string, maxResults *int32) (
	page []string, next string, aerr *apiError) {
	start := 0
	if token != nil {
		after, ok := decodeToken(*token, c.op, c.region, scope)
		if !ok {
			return nil, "", errBadToken(styleInvalidParameter)
		}
		i, found := slices.BinarySearch(keys, after)
		if found {
			i++
		}
		start = i
	}
	end := min(start+pageLimit(maxResults), len(keys))
	if end < len(keys) && end > start {
		next = encodeToken(c.op, c.region, scope, keys[end-1])
	}
	return keys[start:end], next, nil
}

func errBadToken(style errStyle) *apiError {
	if style == styleValidation {
		return newAPIError(codeValidation,
			"Invalid NextToken: the token is malformed, expired or was issued for another request")
	}
	return newAPIError(codeInvalidParameter,
		"Invalid parameter at 'nextToken' failed to satisfy constraint: "+
			"'The token is malformed, expired or was issued for another request'")
}
