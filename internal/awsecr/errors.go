package awsecr

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"
)

// Errors a caller can test for with errors.Is.
var (
	ErrNoRegion = errors.New("no AWS Region is configured: set region on the provider " +
		"or on this block, or set AWS_REGION")
	ErrNoCredentials = errors.New("no AWS credentials were found: set AWS_ACCESS_KEY_ID and " +
		"AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or the provider's profile or assume_role")
	ErrNotFound  = errors.New("not found")
	ErrDenied    = errors.New("access denied")
	ErrThrottled = errors.New("throttled")
	ErrInvalid   = errors.New("invalid request")
	ErrServer    = errors.New("ECR server error")
)

// CallError is a failed ECR call: which IAM action on which object, and why.
type CallError struct {
	// Action is the IAM action, e.g. "ecr:DescribeRepositories".
	Action string
	// Object names what the call was about, e.g. a repository ARN.
	Object string
	// Kind is one of the Err* sentinels, or nil when unclassified.
	Kind error
	Err  error
}

func (e *CallError) Error() string {
	return fmt.Sprintf("%s on %s: %v", e.Action, e.Object, e.Err)
}

func (e *CallError) Unwrap() []error {
	if e.Kind == nil {
		return []error{e.Err}
	}
	return []error{e.Kind, e.Err}
}

// Fix says what the user can do about the error.
func (e *CallError) Fix() string {
	switch {
	case errors.Is(e, ErrDenied):
		return fmt.Sprintf("Allow %s on %s in the IAM policy of the credentials the "+
			"provider uses; the documentation lists the minimal policy for each feature.",
			e.Action, e.Object)
	case errors.Is(e, ErrThrottled):
		return "ECR kept throttling the requests after every retry. Lower the provider's " +
			"max_concurrency, raise max_retries, or run the plan again later."
	case errors.Is(e, ErrServer):
		return "ECR answered with a server error after every retry. Run the plan again; " +
			"raise max_retries if it persists."
	case errors.Is(e, context.DeadlineExceeded), errors.Is(e, context.Canceled):
		return "The operation was cancelled or ran out of time before ECR answered."
	case errors.Is(e, ErrInvalid):
		return "ECR refused the request as invalid; check the arguments named above."
	}
	return "Check the ECR endpoint, the network path to it and the credentials."
}

// wrap classifies err from an ECR call; it returns nil for nil.
func wrap(action, object string, err error) error {
	if err == nil {
		return nil
	}
	ce := &CallError{Action: "ecr:" + action, Object: object, Err: err}

	var apiErr smithy.APIError
	var maxAttempts *retry.MaxAttemptsError
	switch {
	case errors.As(err, &apiErr):
		ce.Kind = kindOf(apiErr.ErrorCode())
		if errors.Is(ce.Kind, ErrThrottled) && errors.As(err, &maxAttempts) {
			ce.Err = fmt.Errorf("still throttled after %d attempts: %s",
				maxAttempts.Attempt, apiErr.ErrorMessage())
		} else {
			ce.Err = fmt.Errorf("%s: %s", apiErr.ErrorCode(), apiErr.ErrorMessage())
		}
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		ce.Kind = nil
	}
	return ce
}

func kindOf(code string) error {
	switch {
	case strings.HasSuffix(code, "NotFoundException"), code == "ImageNotFound":
		return ErrNotFound
	case code == "AccessDeniedException", code == "AccessDenied",
		code == "UnrecognizedClientException", code == "InvalidSignatureException",
		code == "ExpiredTokenException":
		return ErrDenied
	case code == "ThrottlingException", code == "ThrottledException",
		code == "TooManyRequestsException", code == "RequestLimitExceeded":
		return ErrThrottled
	case code == "ValidationException", code == "InvalidParameterException",
		code == "LimitExceededException":
		return ErrInvalid
	case code == "ServerException", code == "InternalFailure", code == "ServiceUnavailable":
		return ErrServer
	}
	return nil
}
