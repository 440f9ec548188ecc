package provider

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/c0221/terraform-provider-c0221/internal/awsecr"
	"github.com/c0221/terraform-provider-c0221/internal/compliance"
)

// The image_findings block: the latest-image vulnerability gate.

type imageFindingsModel struct {
	SeverityThreshold      types.String                `tfsdk:"severity_threshold"`
	UndefinedSeverityAs    types.String                `tfsdk:"undefined_severity_as"`
	IgnoredVulnerabilities []ignoredVulnerabilityModel `tfsdk:"ignored_vulnerability"`
	UnsupportedImage       types.String                `tfsdk:"unsupported_image"`
	PendingGracePeriod     types.String                `tfsdk:"pending_grace_period"`
	MaxScanAge             types.String                `tfsdk:"max_scan_age"`
	ImageTag               types.String                `tfsdk:"image_tag"`
}

type ignoredVulnerabilityModel struct {
	ID      types.String `tfsdk:"id"`
	Reason  types.String `tfsdk:"reason"`
	Expires types.String `tfsdk:"expires"`
}

func imageFindingsBlock() schema.Block {
	severities := stringvalidator.OneOf(compliance.Severities...)
	return schema.SingleNestedBlock{
		Description: "Turns on the latest-image vulnerability gate: each repository's newest " +
			"container image (or the one tagged `image_tag`) is judged by its ECR scan " +
			"result and reported in `latest_image`. Signatures, attestations, SBOMs and " +
			"other referrer artifacts are skipped; an image index is judged by its worst " +
			"platform image; a repository with no image passes (`scan_state` `NO_IMAGE`). " +
			"Failing images are reported with the reason codes " +
			codeList(compliance.FindingsCodes) + ". Needs `ecr:DescribeImages`, " +
			"`ecr:DescribeImageScanFindings` and `ecr:BatchGetImage`; without the block " +
			"no image is read.",
		Attributes: map[string]schema.Attribute{
			"severity_threshold": schema.StringAttribute{
				Optional: true, Computed: true,
				Description: enumDescription("The image fails with any finding at or above "+
					"this severity, ranked "+strings.Join(compliance.Severities, " > ")+".",
					compliance.Severities, string(compliance.DefaultSeverityThreshold)),
				Validators: []validator.String{severities},
			},
			"undefined_severity_as": schema.StringAttribute{
				Optional: true, Computed: true,
				Description: enumDescription("The severity `UNDEFINED` findings and severity "+
					"keys the provider does not know (such as Inspector's `UNTRIAGED`) rank as.",
					compliance.Severities, string(compliance.SeverityUndefined)),
				Validators: []validator.String{severities},
			},
			"unsupported_image": schema.StringAttribute{
				Optional: true, Computed: true,
				Description: enumDescription("What an image ECR cannot scan (scratch base, "+
					"unsupported operating system) does: `fail` with `IMAGE_UNSUPPORTED`, "+
					"`warn` with a warning, or `ignore`.",
					compliance.UnsupportedActions, compliance.UnsupportedFail),
				Validators: []validator.String{stringvalidator.OneOf(compliance.UnsupportedActions...)},
			},
			"pending_grace_period": schema.StringAttribute{
				Optional: true, Computed: true,
				Description: "How long after the push a scan that is still pending or in " +
					"progress (or, under enhanced scanning, complete without findings yet) " +
					"does not fail; after it, it fails with `SCAN_PENDING`. A duration such " +
					"as `30m`, `2h` or `1d`, at most `3650d` (ten years). Defaults to `30m`.",
				Validators: []validator.String{ageValidator(false)},
			},
			"max_scan_age": schema.StringAttribute{
				Optional: true,
				Description: "A completed scan older than this is stale and fails with " +
					"`SCAN_STALE`, as `SCAN_ELIGIBILITY_EXPIRED` always does. Continuous " +
					"scans (`ACTIVE`) are current and not aged. A duration such as `7d` or " +
					"`72h`, at most `3650d` (ten years). Unset by default.",
				Validators: []validator.String{ageValidator(true)},
			},
			"image_tag": schema.StringAttribute{
				Optional: true,
				Description: "Judge the image with this tag instead of the newest pushed " +
					"image. A repository without it passes with `scan_state` `NO_IMAGE` and " +
					"a warning.",
				Validators: []validator.String{imageTagValidator()},
			},
		},
		Blocks: map[string]schema.Block{
			"ignored_vulnerability": schema.ListNestedBlock{
				Description: "A vulnerability whose findings do not count, with a reason. " +
					"Ignored findings are taken out of `severity_counts` and listed in " +
					"`ignored_findings`; once expired they count again.",
				NestedObject: schema.NestedBlockObject{Attributes: map[string]schema.Attribute{
					"id": schema.StringAttribute{
						Required: true,
						Description: "The vulnerability id as ECR reports it: a basic " +
							"finding's name or an enhanced finding's vulnerability id, e.g. " +
							"`CVE-2024-3094` (matched without regard to case).",
						Validators: []validator.String{nonBlank()},
					},
					"reason": schema.StringAttribute{
						Required:    true,
						Description: "Why the vulnerability is accepted; shown in the report.",
						Validators:  []validator.String{nonBlank()},
					},
					"expires": schema.StringAttribute{
						Optional: true,
						Description: "When the ignore stops counting: an RFC 3339 date-time, " +
							"or a date, which lasts through that day (UTC).",
						Validators: []validator.String{expiryValidator()},
					},
				}},
			},
		},
	}
}

// ageValidator accepts a duration with compliance.ParseDuration's syntax;
// positive refuses zero.
func ageValidator(positive bool) validator.String {
	return stringCheck{"duration", func(s string) error {
		d, err := compliance.ParseDuration(s)
		if err == nil && positive && d == 0 {
			return fmt.Errorf("%q is zero; leave the argument unset for no limit", s)
		}
		return err
	}}
}

func imageTagValidator() validator.String {
	return stringCheck{"image tag", func(s string) error {
		if len(s) < 1 || len(s) > 300 || strings.ContainsAny(s, " \t\n/:@") {
			return fmt.Errorf("%q is not an image tag: 1 to 300 characters without "+
				"whitespace, '/', ':' or '@'", s)
		}
		return nil
	}}
}

// setDefaults fills the block's unset settings so the state shows them.
func (b *imageFindingsModel) setDefaults() {
	if b.SeverityThreshold.IsNull() {
		b.SeverityThreshold = types.StringValue(string(compliance.DefaultSeverityThreshold))
	}
	if b.UndefinedSeverityAs.IsNull() {
		b.UndefinedSeverityAs = types.StringValue(string(compliance.SeverityUndefined))
	}
	if b.UnsupportedImage.IsNull() {
		b.UnsupportedImage = types.StringValue(compliance.UnsupportedFail)
	}
	if b.PendingGracePeriod.IsNull() {
		b.PendingGracePeriod = types.StringValue("30m")
	}
}

// options turns the block into the gate's options; the values were
// validated at plan time.
func (b *imageFindingsModel) options() *compliance.FindingsOptions {
	o := &compliance.FindingsOptions{
		Threshold:    compliance.Severity(b.SeverityThreshold.ValueString()),
		UndefinedAs:  compliance.Severity(b.UndefinedSeverityAs.ValueString()),
		Unsupported:  b.UnsupportedImage.ValueString(),
		ImageTag:     b.ImageTag.ValueString(),
		PendingGrace: compliance.DefaultPendingGrace,
	}
	if s := b.PendingGracePeriod.ValueString(); s != "" {
		o.PendingGrace, _ = compliance.ParseDuration(s)
	}
	if s := b.MaxScanAge.ValueString(); s != "" {
		o.MaxScanAge, _ = compliance.ParseDuration(s)
	}
	for _, iv := range b.IgnoredVulnerabilities {
		ig := compliance.IgnoredVulnerability{ID: strings.TrimSpace(iv.ID.ValueString()),
			Reason: iv.Reason.ValueString()}
		if s := iv.Expires.ValueString(); s != "" {
			ig.Expires, _ = compliance.ParseExpiry(s)
		}
		o.Ignored = append(o.Ignored, ig)
	}
	return o
}

// query is what the gate needs read; nil without the block.
func (b *imageFindingsModel) query() *awsecr.ImageQuery {
	if b == nil {
		return nil
	}
	return &awsecr.ImageQuery{Tag: b.ImageTag.ValueString(),
		AllFindings: len(b.IgnoredVulnerabilities) > 0}
}

func latestImageAttribute() schema.Attribute {
	return schema.SingleNestedAttribute{
		Computed: true,
		Description: "With `image_findings`: the image the repository was judged by. Null " +
			"without the block.",
		Attributes: map[string]schema.Attribute{
			"digest": schema.StringAttribute{Computed: true,
				Description: "The image (or image index) digest; null with `NO_IMAGE`."},
			"tags": schema.ListAttribute{Computed: true, ElementType: types.StringType,
				Description: "The image's tags, sorted."},
			"pushed_at": schema.StringAttribute{Computed: true,
				Description: "When the image was pushed (RFC 3339)."},
			"scan_status": schema.StringAttribute{Computed: true,
				Description: "ECR's raw `imageScanStatus.status` (of the worst platform image " +
					"for an index); null when the image was never scanned."},
			"scan_state": schema.StringAttribute{Computed: true,
				Description: "The normalised scan state: " + codeList(compliance.ScanStates) + "."},
			"scan_completed_at": schema.StringAttribute{Computed: true,
				Description: "When the scan completed (RFC 3339), when ECR says."},
			"severity_counts": schema.MapAttribute{Computed: true, ElementType: types.Int64Type,
				Description: "Findings by severity as ECR counts them, every key kept " +
					"(`UNDEFINED` and keys such as `UNTRIAGED` included), ignored findings " +
					"taken out."},
			"ignored_findings": schema.ListNestedAttribute{
				Computed:    true,
				Description: "Findings an `ignored_vulnerability` block matched, sorted by id.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id": schema.StringAttribute{Computed: true,
						Description: "The vulnerability id."},
					"severity": schema.StringAttribute{Computed: true,
						Description: "The finding's severity."},
					"reason": schema.StringAttribute{Computed: true,
						Description: "The ignore's reason."},
					"expires": schema.StringAttribute{Computed: true,
						Description: "When the ignore expires (RFC 3339); null if never."},
					"expired": schema.BoolAttribute{Computed: true,
						Description: "The ignore has expired: the finding counts again."},
				}},
			},
		},
	}
}

var (
	ignoredFindingType = types.ObjectType{AttrTypes: map[string]attr.Type{
		"id": types.StringType, "severity": types.StringType, "reason": types.StringType,
		"expires": types.StringType, "expired": types.BoolType,
	}}
	latestImageAttrTypes = map[string]attr.Type{
		"digest": types.StringType, "tags": types.ListType{ElemType: types.StringType},
		"pushed_at": types.StringType, "scan_status": types.StringType,
		"scan_state": types.StringType, "scan_completed_at": types.StringType,
		"severity_counts":  types.MapType{ElemType: types.Int64Type},
		"ignored_findings": types.ListType{ElemType: ignoredFindingType},
	}
)

type ignoredFindingValue struct {
	ID       string  `tfsdk:"id"`
	Severity string  `tfsdk:"severity"`
	Reason   string  `tfsdk:"reason"`
	Expires  *string `tfsdk:"expires"`
	Expired  bool    `tfsdk:"expired"`
}

type latestImageValue struct {
	Digest          *string               `tfsdk:"digest"`
	Tags            []string              `tfsdk:"tags"`
	PushedAt        *string               `tfsdk:"pushed_at"`
	ScanStatus      *string               `tfsdk:"scan_status"`
	ScanState       string                `tfsdk:"scan_state"`
	ScanCompletedAt *string               `tfsdk:"scan_completed_at"`
	SeverityCounts  map[string]int64      `tfsdk:"severity_counts"`
	IgnoredFindings []ignoredFindingValue `tfsdk:"ignored_findings"`
}

// latestImageObject renders a verdict's latest image; null without one.
func latestImageObject(ctx context.Context,
	li *compliance.LatestImage) (types.Object, diag.Diagnostics) {
	if li == nil {
		return types.ObjectNull(latestImageAttrTypes), nil
	}
	v := latestImageValue{Digest: nonEmpty(li.Digest), Tags: li.Tags,
		PushedAt: timeString(li.PushedAt), ScanStatus: nonEmpty(li.ScanStatus),
		ScanState: string(li.ScanState), ScanCompletedAt: timeString(li.ScanCompletedAt),
		SeverityCounts:  make(map[string]int64, len(li.SeverityCounts)),
		IgnoredFindings: make([]ignoredFindingValue, 0, len(li.IgnoredFindings))}
	for k, n := range li.SeverityCounts {
		v.SeverityCounts[k] = int64(n)
	}
	for _, f := range li.IgnoredFindings {
		v.IgnoredFindings = append(v.IgnoredFindings, ignoredFindingValue{ID: f.ID,
			Severity: f.Severity, Reason: f.Reason, Expires: timeString(f.Expires),
			Expired: f.Expired})
	}
	return types.ObjectValueFrom(ctx, latestImageAttrTypes, v)
}

// addImageWarnings reports what the gate noticed without failing: images
// ECR cannot scan under unsupported_image = "warn", missing tags, expired
// ignores.
func addImageWarnings(diags *diag.Diagnostics, verdicts []compliance.Verdict) {
	var notes, expired []string
	for _, v := range verdicts {
		if v.LatestImage == nil {
			continue
		}
		for _, w := range v.LatestImage.Warnings {
			notes = append(notes, fmt.Sprintf("%s: %s", v.Name, w))
		}
		for _, f := range v.LatestImage.IgnoredFindings {
			if f.Expired {
				expired = append(expired, fmt.Sprintf("%s: %s (%s), expired %s", v.Name, f.ID,
					f.Severity, *timeString(f.Expires)))
			}
		}
	}
	if len(notes) > 0 {
		diags.AddWarning("Latest images that image_findings let pass with a warning",
			listed(notes)+"\n\nThese pass because of unsupported_image = \"warn\" or a "+
				"missing image_tag; set unsupported_image = \"fail\" to fail them instead.")
	}
	if len(expired) > 0 {
		diags.AddWarning("Ignored vulnerabilities have expired",
			"These findings match an ignored_vulnerability block that has expired, so they "+
				"count again. Renew the expiry or fix the image.\n\n"+listed(expired))
	}
}

func listed(lines []string) string {
	sort.Strings(lines)
	if len(lines) > maxNamedInDiagnostic {
		rest := len(lines) - maxNamedInDiagnostic
		lines = append(lines[:maxNamedInDiagnostic], fmt.Sprintf("... and %d more", rest))
	}
	return "  - " + strings.Join(lines, "\n  - ")
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func timeString(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.UTC().Format(time.RFC3339)
	return &s
}
