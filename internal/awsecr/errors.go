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
	ErrNotFound = errors.New("not found")
	// ErrRepositoryNotFound, ErrImageNotFound and ErrScanNotFound say what
	// was not found; each is also ErrNotFound.
	ErrRepositoryNotFound = notFound("repository not found")
	ErrImageNotFound      = notFound("image not found")
	ErrScanNotFound       = notFound("image scan not found")
	ErrDenied             = errors.New("access denied")
	// ErrCredentials: ECR does not accept the credentials themselves
	// (unknown, badly signed or expired), whatever the IAM policy says.
	ErrCredentials = errors.New("credentials rejected")
	ErrThrottled   = errors.New("throttled")
	// ErrQuota: the call would exceed a service quota of the account.
	ErrQuota   = errors.New("service quota exceeded")
	ErrInvalid = errors.New("invalid request")
	ErrServer  = errors.New("ECR server error")
)

// subKind is a kind that is also a broader one under errors.Is.
type subKind struct {
	msg    string
	parent error
}

func (k *subKind) Error() string { return k.msg }
func (k *subKind) Unwrap() error { return k.parent }

func notFound(msg string) error { return &subKind{msg: msg, parent: ErrNotFound} }

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
	case errors.Is(e, ErrCredentials):
		return "ECR does not accept the credentials the provider uses: they are unknown, " +
			"expired or badly signed. Refresh or renew them (for example `aws sso login`, " +
			"or new temporary keys), and check the provider's profile, access_key, " +
			"secret_key and token, its assume_role block, and the AWS_* environment " +
			"variables, which the provider reads as the AWS CLI does."
	case errors.Is(e, ErrDenied):
		return fmt.Sprintf("Allow %s on %s in the IAM policy of the credentials the "+
			"provider uses; the documentation lists the minimal policy for each feature.",
			e.Action, e.Object)
	case errors.Is(e, ErrThrottled):
		return "ECR kept throttling the requests after every retry. Lower the provider's " +
			"max_concurrency, raise max_retries, or run the plan again later."
	case errors.Is(e, ErrQuota):
		return "The call would exceed an Amazon ECR service quota of the account (for " +
			"example one StartImageScan per image every 24 hours). Retrying does not help " +
			"until the quota allows it: see the Amazon ECR quotas in the Service Quotas " +
			"console, and request an increase where the quota is adjustable."
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

// wrap classifies err from an ECR call; it returns nil for nil. Errors ECR
// did not answer (cancellation, deadline, network) have no Kind and keep
// their own error to test for.
func wrap(action, object string, err error) error {
	return wrapAction("ecr:"+action, object, err)
}

// wrapAction is wrap for an IAM action of any service, e.g. sts:AssumeRole.
func wrapAction(action, object string, err error) error {
	if err == nil {
		return nil
	}
	ce := &CallError{Action: action, Object: object, Err: err}

	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		return ce
	}
	ce.Kind = kindOf(apiErr.ErrorCode())
	var maxAttempts *retry.MaxAttemptsError
	if errors.Is(ce.Kind, ErrThrottled) && errors.As(err, &maxAttempts) {
		ce.Err = fmt.Errorf("still throttled after %d attempts: %s",
			maxAttempts.Attempt, apiErr.ErrorMessage())
	} else {
		ce.Err = fmt.Errorf("%s: %s", apiErr.ErrorCode(), apiErr.ErrorMessage())
	}
	return ce
}

// kindOf maps an AWS error code to one of the Err* kinds, or nil.
func kindOf(code string) error {
	switch code {
	case "RepositoryNotFoundException":
		return ErrRepositoryNotFound
	case "ImageNotFoundException", "ImageNotFound":
		return ErrImageNotFound
	case "ScanNotFoundException":
		return ErrScanNotFound
	case "AccessDeniedException", "AccessDenied":
		return ErrDenied
	case "UnrecognizedClientException", "InvalidClientTokenId",
		"InvalidSignatureException", "SignatureDoesNotMatch",
		"IncompleteSignature", "IncompleteSignatureException",
		"MissingAuthenticationToken", "MissingAuthenticationTokenException",
		"ExpiredTokenException", "ExpiredToken":
		return ErrCredentials
	case "ThrottlingException", "ThrottledException", "TooManyRequestsException",
		"RequestLimitExceeded":
		return ErrThrottled
	case "LimitExceededException":
		return ErrQuota
	case "ValidationException", "InvalidParameterException":
		return ErrInvalid
	case "ServerException", "InternalFailure", "ServiceUnavailable":
		return ErrServer
	}
	if strings.HasSuffix(code, "NotFoundException") {
		return ErrNotFound
	}
	return nil
}
