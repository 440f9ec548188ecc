// Package provider is the Terraform face of the project: the provider
// configuration, the c0221_repository_compliance data source, the
// c0221_scan_enforcement resource and the provider functions.
package provider

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/c0221/terraform-provider-c0221/internal/awsecr"
)

// TypeName is the provider's type name and the prefix of every type.
const TypeName = "c0221"

var (
	_ provider.Provider              = (*c0221Provider)(nil)
	_ provider.ProviderWithFunctions = (*c0221Provider)(nil)
)

// New returns a constructor of the provider at the given version.
func New(version string) func() provider.Provider {
	return func() provider.Provider { return &c0221Provider{version: version} }
}

type c0221Provider struct {
	version string
}

type providerModel struct {
	Region                 types.String     `tfsdk:"region"`
	Profile                types.String     `tfsdk:"profile"`
	AccessKey              types.String     `tfsdk:"access_key"`
	SecretKey              types.String     `tfsdk:"secret_key"`
	Token                  types.String     `tfsdk:"token"`
	SharedConfigFiles      []types.String   `tfsdk:"shared_config_files"`
	SharedCredentialsFiles []types.String   `tfsdk:"shared_credentials_files"`
	AssumeRole             *assumeRoleModel `tfsdk:"assume_role"`
	Endpoints              *endpointsModel  `tfsdk:"endpoints"`
	MaxRetries             types.Int64      `tfsdk:"max_retries"`
	MaxConcurrency         types.Int64      `tfsdk:"max_concurrency"`
	RetryMode              types.String     `tfsdk:"retry_mode"`
}

type assumeRoleModel struct {
	RoleARN     types.String `tfsdk:"role_arn"`
	SessionName types.String `tfsdk:"session_name"`
	ExternalID  types.String `tfsdk:"external_id"`
	Duration    types.String `tfsdk:"duration"`
}

type endpointsModel struct {
	ECR types.String `tfsdk:"ecr"`
}

func (p *c0221Provider) Metadata(_ context.Context, _ provider.MetadataRequest,
	resp *provider.MetadataResponse) {
	resp.TypeName = TypeName
	resp.Version = p.version
}

func (p *c0221Provider) Schema(_ context.Context, _ provider.SchemaRequest,
	resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		Description: "Checks and enforces CIS Amazon EKS Benchmark control 5.1.1 " +
			"(Kubescape C-0221): container images in Amazon ECR are scanned for " +
			"vulnerabilities. AWS configuration follows the AWS SDK's default chain " +
			"(environment, shared config and credentials files, SSO, web identity, " +
			"instance roles), like the AWS provider.",
		Attributes: map[string]schema.Attribute{
			"region": schema.StringAttribute{
				Optional: true,
				Description: "AWS Region to use when a block sets none. Defaults to the " +
					"SDK's chain (`AWS_REGION`, then the profile's region).",
				Validators: []validator.String{regionValidator()},
			},
			"profile": schema.StringAttribute{
				Optional:    true,
				Description: "Named profile of the shared config and credentials files.",
			},
			"access_key": schema.StringAttribute{
				Optional:  true,
				Sensitive: true,
				Description: "AWS access key ID. Prefer the environment or a profile; " +
					"set together with `secret_key`.",
				Validators: []validator.String{
					stringvalidator.AlsoRequires(path.MatchRoot("secret_key")),
				},
			},
			"secret_key": schema.StringAttribute{
				Optional:    true,
				Sensitive:   true,
				Description: "AWS secret access key; set together with `access_key`.",
				Validators: []validator.String{
					stringvalidator.AlsoRequires(path.MatchRoot("access_key")),
				},
			},
			"token": schema.StringAttribute{
				Optional:    true,
				Sensitive:   true,
				Description: "AWS session token for temporary `access_key` credentials.",
				Validators: []validator.String{
					stringvalidator.AlsoRequires(path.MatchRoot("access_key")),
				},
			},
			"shared_config_files": schema.ListAttribute{
				ElementType: types.StringType,
				Optional:    true,
				Description: "Paths of shared config files. Defaults to `~/.aws/config`.",
				Validators:  []validator.List{listvalidator.NoNullValues()},
			},
			"shared_credentials_files": schema.ListAttribute{
				ElementType: types.StringType,
				Optional:    true,
				Description: "Paths of shared credentials files. Defaults to " +
					"`~/.aws/credentials`.",
				Validators: []validator.List{listvalidator.NoNullValues()},
			},
			"max_retries": schema.Int64Attribute{
				Optional: true,
				Description: fmt.Sprintf("How many times a throttled or failed ECR call is "+
					"retried, with jittered exponential back-off (see `retry_mode`), before the "+
					"provider gives up; each attempt lasts at most 30 seconds. "+
					"Defaults to %d.", awsecr.DefaultMaxRetries),
				Validators: []validator.Int64{int64validator.Between(0, 100)},
			},
			"retry_mode": schema.StringAttribute{
				Optional: true,
				Description: enumDescription("How throttled and failed calls are retried: "+
					"`standard` retries each call with jittered exponential back-off; `adaptive` "+
					"also slows the whole client down after throttling, which helps when this "+
					"provider is the one exceeding ECR's rate, and costs much time when other "+
					"clients cause the throttling.", awsecr.RetryModes, awsecr.RetryStandard),
				Validators: []validator.String{stringvalidator.OneOf(awsecr.RetryModes...)},
			},
			"max_concurrency": schema.Int64Attribute{
				Optional: true,
				Description: fmt.Sprintf("The most ECR calls the provider makes at once "+
					"while reading a registry. Defaults to %d; lower it if ECR throttles the "+
					"account's other users.", awsecr.DefaultConcurrency),
				Validators: []validator.Int64{int64validator.Between(1, 64)},
			},
		},
		Blocks: map[string]schema.Block{
			"assume_role": schema.SingleNestedBlock{
				Description: "Assume an IAM role, with the credentials of the chain, " +
					"before calling ECR.",
				Attributes: map[string]schema.Attribute{
					"role_arn": schema.StringAttribute{
						Optional:    true,
						Description: "ARN of the role to assume. Required in this block.",
					},
					"session_name": schema.StringAttribute{
						Optional:    true,
						Description: "Session name of the assumed role.",
					},
					"external_id": schema.StringAttribute{
						Optional:    true,
						Description: "External ID the role's trust policy requires.",
					},
					"duration": schema.StringAttribute{
						Optional: true,
						Description: "How long the assumed role's credentials last, as a " +
							"duration such as `1h` or `15m`.",
						Validators: []validator.String{durationValidator(15 * time.Minute)},
					},
				},
			},
			"endpoints": schema.SingleNestedBlock{
				Description: "Custom service endpoints. `AWS_ENDPOINT_URL_ECR` and " +
					"`AWS_ENDPOINT_URL` are honoured too.",
				Attributes: map[string]schema.Attribute{
					"ecr": schema.StringAttribute{
						Optional: true,
						Description: "URL of an ECR-compatible endpoint, such as a VPC " +
							"endpoint or a local emulator.",
						Validators: []validator.String{urlValidator()},
					},
				},
			},
		},
	}
}

func (p *c0221Provider) Configure(ctx context.Context, req provider.ConfigureRequest,
	resp *provider.ConfigureResponse) {
	var m providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}

	addUnknownArguments(req.Config.Raw, &resp.Diagnostics)
	settings, ok := m.settings(resp)
	if !ok {
		return
	}
	settings.UserAgent = "terraform-provider-c0221/" + p.version

	session, err := awsecr.NewSession(ctx, settings)
	if err != nil {
		resp.Diagnostics.AddError("Cannot load the AWS configuration", err.Error()+
			"\n\nCheck the provider's profile, shared files and assume_role settings.")
		return
	}
	tflog.Debug(ctx, "configured AWS access", map[string]any{
		"region": session.Region(), "custom_ecr_endpoint": settings.ECREndpoint != "",
		"assume_role": settings.AssumeRole != nil,
	})
	resp.DataSourceData = session
	resp.ResourceData = session
}

// settings turns the model into awsecr settings, reporting unknown values:
// the provider cannot be configured from values known only after apply.
func (m providerModel) settings(resp *provider.ConfigureResponse) (awsecr.Settings, bool) {
	var s awsecr.Settings
	if resp.Diagnostics.HasError() {
		return s, false
	}

	s.Region = m.Region.ValueString()
	if s.Region == "" && os.Getenv("AWS_REGION") == "" {
		// The AWS CLI and the AWS provider read AWS_DEFAULT_REGION; SDK v2
		// alone does not.
		s.Region = os.Getenv("AWS_DEFAULT_REGION")
	}
	s.Profile = m.Profile.ValueString()
	s.AccessKey, s.SecretKey, s.Token = m.AccessKey.ValueString(), m.SecretKey.ValueString(),
		m.Token.ValueString()
	s.SharedConfigFiles = stringValues(m.SharedConfigFiles)
	s.SharedCredentialsFiles = stringValues(m.SharedCredentialsFiles)
	if !m.MaxRetries.IsNull() {
		n := int(m.MaxRetries.ValueInt64())
		s.MaxRetries = &n
	}
	s.Concurrency = int(m.MaxConcurrency.ValueInt64())
	s.RetryMode = m.RetryMode.ValueString()
	if m.Endpoints != nil {
		s.ECREndpoint = m.Endpoints.ECR.ValueString()
	}
	if ar := m.AssumeRole; ar != nil {
		if ar.RoleARN.ValueString() == "" {
			resp.Diagnostics.AddAttributeError(path.Root("assume_role").AtName("role_arn"),
				"Missing role_arn", "An assume_role block needs the ARN of the role to assume.")
			return s, false
		}
		s.AssumeRole = &awsecr.AssumeRole{RoleARN: ar.RoleARN.ValueString(),
			SessionName: ar.SessionName.ValueString(), ExternalID: ar.ExternalID.ValueString()}
		if d := ar.Duration.ValueString(); d != "" {
			s.AssumeRole.Duration, _ = time.ParseDuration(d)
		}
	}
	return s, true
}

func (p *c0221Provider) DataSources(context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{newRepositoryComplianceDataSource}
}

func (p *c0221Provider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{newScanEnforcementResource}
}

func (p *c0221Provider) Functions(context.Context) []func() function.Function {
	return []func() function.Function{
		newFilterMatchesFunction, newEffectiveScanFrequencyFunction,
	}
}

func stringValues(in []types.String) []string {
	var out []string
	for _, v := range in {
		if !v.IsNull() && !v.IsUnknown() {
			out = append(out, v.ValueString())
		}
	}
	return out
}

// addUnknownArguments reports every provider argument, nested ones included,
// whose value is known only after apply: the provider is configured before
// anything is applied, so it cannot wait for them.
func addUnknownArguments(config tftypes.Value, diags *diag.Diagnostics) {
	_ = tftypes.Walk(config, func(p *tftypes.AttributePath, v tftypes.Value) (bool, error) {
		if v.IsKnown() {
			return true, nil
		}
		var name strings.Builder
		for _, step := range p.Steps() {
			switch st := step.(type) {
			case tftypes.AttributeName:
				if name.Len() > 0 {
					name.WriteString(".")
				}
				name.WriteString(string(st))
			case tftypes.ElementKeyInt:
				fmt.Fprintf(&name, "[%d]", int64(st))
			}
		}
		root := strings.SplitN(name.String(), ".", 2)[0]
		root = strings.SplitN(root, "[", 2)[0]
		diags.AddAttributeError(path.Root(root), "Provider argument "+name.String()+" is unknown",
			"The provider is configured before anything is applied, so "+name.String()+
				" cannot come from a value known only after apply. Set it from a variable, "+
				"a data source or a literal.")
		return false, nil
	})
}
