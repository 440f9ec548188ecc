package provider

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/c0221/terraform-provider-c0221/internal/awsecr"
)

var accountIDPattern = regexp.MustCompile(`^\d{12}$`)

// addClientError reports why no ECR client could be made.
func addClientError(diags *diag.Diagnostics, err error) {
	var ce *awsecr.CallError
	switch {
	case errors.As(err, &ce):
		addCallError(diags, "Cannot get AWS credentials", err)
	case errors.Is(err, awsecr.ErrNoRegion):
		diags.AddError("No AWS Region configured", err.Error()+".")
	case errors.Is(err, awsecr.ErrNoCredentials):
		diags.AddError("No AWS credentials found", err.Error()+".")
	default:
		diags.AddError("Cannot use the AWS configuration", err.Error()+
			"\n\nCheck the provider's region, profile, endpoints and assume_role settings.")
	}
}

// addCallError reports a failed ECR call. The summary keeps the caller's
// words and says what happened to which action on which object (access
// denied, credentials rejected, throttled, over a quota, interrupted or
// failed); the detail gives ECR's answer and the fix.
func addCallError(diags *diag.Diagnostics, summary string, err error) {
	var ce *awsecr.CallError
	if !errors.As(err, &ce) {
		addClientError(diags, err)
		return
	}
	outcome, verb := ce.Action+" failed", "failed"
	switch {
	case errors.Is(err, awsecr.ErrCredentials):
		outcome, verb = "credentials rejected by "+ce.Action, "was rejected for its credentials"
	case errors.Is(err, awsecr.ErrDenied):
		outcome, verb = "access denied to "+ce.Action, "was denied"
	case errors.Is(err, awsecr.ErrThrottled):
		outcome, verb = ce.Action+" throttled", "was throttled"
	case errors.Is(err, awsecr.ErrQuota):
		outcome, verb = ce.Action+" over a service quota", "would exceed a service quota"
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		outcome, verb = ce.Action+" interrupted", "was interrupted"
	}
	// Most callers name the object already ("... for repository app in
	// us-east-1"); say it once.
	if !strings.Contains(summary, ce.Object) {
		outcome += " on " + ce.Object
	}
	diags.AddError(fmt.Sprintf("%s: %s", summary, outcome),
		fmt.Sprintf("%s %s on %s: %v\n\n%s", ce.Action, verb, ce.Object, ce.Err, ce.Fix()))
}

// addForeignRegistryError reports, on the attribute at, a registry_id that
// is not the caller's registry.
func addForeignRegistryError(diags *diag.Diagnostics, at path.Path, want, caller string) {
	diags.AddAttributeError(at, "registry_id is not the caller's registry",
		fmt.Sprintf("registry_id %s is not registry %s of the credentials the provider "+
			"uses. ECR reads and changes scanning configuration only for the caller's own "+
			"registry: use credentials of account %s (for example with the provider's "+
			"assume_role), or remove registry_id.", want, caller, want))
}

// enumDescription appends the allowed values and the default, built from the
// same list the validator uses.
func enumDescription(text string, values []string, def string) string {
	return fmt.Sprintf("%s One of %s. Defaults to `%s`.", text, codeList(values), def)
}

func nonBlank() validator.String {
	return stringCheck{"value", func(s string) error {
		if strings.TrimSpace(s) == "" {
			return errors.New("must not be empty or blank")
		}
		return nil
	}}
}

// sessionFrom takes the provider's AWS session out of a Configure request.
func sessionFrom(providerData any, diags *diag.Diagnostics) *awsecr.Session {
	if providerData == nil {
		return nil
	}
	session, ok := providerData.(*awsecr.Session)
	if !ok {
		diags.AddError("Unexpected provider data", fmt.Sprintf(
			"Expected *awsecr.Session, got %T. Please report this issue.", providerData))
	}
	return session
}
