package provider

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/c0221/terraform-provider-c0221/internal/compliance"
)

// stringCheck adapts a plain Go check to a framework string validator, so
// the same check serves schemas, functions and the compliance logic.
type stringCheck struct {
	description string
	check       func(string) error
}

var _ validator.String = stringCheck{}

func (v stringCheck) Description(context.Context) string         { return v.description }
func (v stringCheck) MarkdownDescription(context.Context) string { return v.description }

func (v stringCheck) ValidateString(_ context.Context, req validator.StringRequest,
	resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := v.check(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid "+v.description, err.Error())
	}
}

func filterValidator() validator.String {
	return stringCheck{"ECR repository filter", compliance.ValidateFilter}
}

func repositoryNameValidator() validator.String {
	return stringCheck{"ECR repository name", compliance.ValidateRepositoryName}
}

// exemptionTargetValidator accepts a repository name, or a filter when the
// value has a wildcard.
func exemptionTargetValidator() validator.String {
	return stringCheck{"exempted repository", func(s string) error {
		if strings.Contains(s, "*") {
			return compliance.ValidateFilter(s)
		}
		return compliance.ValidateRepositoryName(s)
	}}
}

func expiryValidator() validator.String {
	return stringCheck{"expiry", func(s string) error {
		_, err := compliance.ParseExpiry(s)
		return err
	}}
}

var regionPattern = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d+$`)

func regionValidator() validator.String {
	return stringCheck{"AWS Region", func(s string) error {
		if !regionPattern.MatchString(s) {
			return fmt.Errorf("%q is not an AWS Region name such as us-east-1 or eu-west-2", s)
		}
		return nil
	}}
}

func durationValidator(min time.Duration) validator.String {
	return stringCheck{"duration", func(s string) error {
		d, err := time.ParseDuration(s)
		switch {
		case err != nil:
			return fmt.Errorf("%q is not a duration such as 30m or 1h", s)
		case d < min:
			return fmt.Errorf("%q is shorter than the minimum of %s", s, min)
		}
		return nil
	}}
}

func urlValidator() validator.String {
	return stringCheck{"endpoint URL", func(s string) error {
		u, err := url.Parse(s)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("%q is not an http or https URL", s)
		}
		return nil
	}}
}
