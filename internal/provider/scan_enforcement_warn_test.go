package provider

import (
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/c0221/terraform-provider-c0221/internal/compliance"
)

// Raising a BASIC registry to ENHANCED for some filters stops scanning the
// repositories only their legacy flag covered; the plan says which.
func TestWarnUnscanned_enhancedIgnoresTheLegacyFlag(t *testing.T) {
	live := compliance.Registry{ScanType: compliance.ScanTypeBasic}
	next := compliance.Registry{ScanType: compliance.ScanTypeEnhanced, Rules: []compliance.Rule{
		{Frequency: compliance.FrequencyContinuous, Filters: []string{"team-a/api"}}}}
	flags := map[string]bool{"team-a/api": false, "team-a/web": true, "unscanned": false}

	var diags diag.Diagnostics
	warnUnscanned(&diags, live, next, flags)
	if len(diags) != 1 || diags[0].Severity() != diag.SeverityWarning {
		t.Fatalf("want one warning, got %v", diags)
	}
	detail := diags[0].Detail()
	if !strings.Contains(diags[0].Summary(), "stops scanning 1 repositories") ||
		!strings.Contains(detail, "team-a/web") || strings.Contains(detail, "unscanned") {
		t.Errorf("the warning names the wrong repositories: %s / %s", diags[0].Summary(), detail)
	}

	diags = nil
	warnUnscanned(&diags, live, live, flags)
	if len(diags) != 0 {
		t.Errorf("an unchanged configuration warns: %v", diags)
	}
}
