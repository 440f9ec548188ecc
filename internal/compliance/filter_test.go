package compliance

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

// filterCase is one row of a filter-matching table; the rows double as the
// seed corpus of FuzzFilterMatches.
type filterCase struct {
	filter, name string
	want         bool
}

// userGuideNames are the repository names of the AWS user guide's filter
// table, matched below against each of its filters.
var userGuideNames = []string{"prod", "repo-prod", "prod-repo", "repo-prod-repo", "prodrepo"}

// userGuideMatches lists, per filter of the AWS user guide's table, the
// names of userGuideNames that it selects.
var userGuideMatches = map[string][]string{
	"prod":      {"prod", "repo-prod", "prod-repo", "repo-prod-repo", "prodrepo"},
	"*prod":     {"prod", "repo-prod"},
	"prod*":     {"prod", "prod-repo", "prodrepo"},
	"*prod*":    {"prod", "repo-prod", "prod-repo", "repo-prod-repo", "prodrepo"},
	"prod*repo": {"prod-repo", "prodrepo"},
}

func userGuideCases() []filterCase {
	var cases []filterCase
	for _, filter := range []string{"prod", "*prod", "prod*", "*prod*", "prod*repo"} {
		for _, name := range userGuideNames {
			cases = append(cases, filterCase{filter, name, slices.Contains(userGuideMatches[filter], name)})
		}
	}
	return cases
}

// ecrDocCases are the examples of ECR.md, then the edge cases around them.
var ecrDocCases = []filterCase{
	// ECR.md: a filter without '*' matches every name that contains it.
	{"prod", "prod", true},
	{"prod", "app-prod-api", true},
	{"prod", "production-x", true},
	{"prod", "team/prod/svc", true},
	{"prod", "pro", false},
	{"prod", "dev", false},
	{"prod", "p-r-o-d", false},

	// ECR.md: a filter with '*' matches the whole name.
	{"*prod", "prod", true},
	{"*prod", "repo-prod", true},
	{"*prod", "prod-repo", false},
	{"prod*repo", "prodrepo", true},
	{"prod*repo", "prod-repo", true},
	{"prod*repo", "prod-repo-x", false},
	{"prod*repo", "x-prod-repo", false},

	// '*' alone selects every name.
	{"*", "a", true},
	{"*", "ab", true},
	{"*", "team/prod/svc", true},
	{"*", "", true},

	// Several stars, each zero or more characters, in order.
	{"*a*b*", "ab", true},
	{"*a*b*", "xaxbx", true},
	{"*a*b*", "ba", false},
	{"a**b", "ab", true},
	{"a**b", "axyb", true},
	{"a*b*c", "abc", true},
	{"a*b*c", "a-b-c", true},
	{"a*b*c", "acb", false},
	{"a*b*c", "a-c-b-c", true},
	{"*ab*ab*", "abab", true},
	{"*ab*ab*", "aab", false},
	{"**", "anything", true},

	// A prefix and a suffix that would overlap in a short name.
	{"a*a", "a", false},
	{"a*a", "aa", true},
	{"a*a", "aba", true},
	{"ab*ba", "aba", false},
	{"ab*ba", "abba", true},
	{"prod*prod", "prod", false},
	{"prod*prod", "prodprod", true},
	{"a*b*a", "aba", true},
	{"a*b*a", "aa", false},

	// Names with '/'.
	{"team/*", "team/svc", true},
	{"team/*", "team/a/b", true},
	{"team/*", "team", false},
	{"team/*", "other/team/svc", false},
	{"*/svc", "team/prod/svc", true},
	{"*/svc", "svc", false},
	{"team/*/svc", "team/prod/svc", true},
	{"team/*/svc", "team/svc", false},
	{"prod/api", "team/prod/api-v2", true},

	// Separators in a filter are literal characters, not patterns.
	{"a.b", "axb", false},
	{"a.b", "a.b", true},
	{"a.*", "a.b", true},
	{"a.*", "ab", false},
	{"a_b*", "a_b-c", true},
}

func TestFilterMatches_awsUserGuideTable(t *testing.T) {
	for _, tc := range userGuideCases() {
		if got := FilterMatches(tc.filter, tc.name); got != tc.want {
			t.Errorf("FilterMatches(%q, %q) = %v, want %v", tc.filter, tc.name, got, tc.want)
		}
	}
}

func TestFilterMatches_ecrDocumentedExamplesAndEdges(t *testing.T) {
	for _, tc := range ecrDocCases {
		if got := FilterMatches(tc.filter, tc.name); got != tc.want {
			t.Errorf("FilterMatches(%q, %q) = %v, want %v", tc.filter, tc.name, got, tc.want)
		}
	}
}

func TestFilterMatches_substringWithoutWildcard(t *testing.T) {
	for _, name := range []string{"prod", "xprod", "prodx", "a/prod/b", "reproduce"} {
		if !FilterMatches("prod", name) {
			t.Errorf("FilterMatches(%q, %q) = false; a filter without '*' matches a substring",
				"prod", name)
		}
	}
}

func TestFilterMatches_wildcardAnchorsWholeName(t *testing.T) {
	cases := []filterCase{
		{"prod*", "xprod", false},
		{"*prod", "prodx", false},
		{"p*d", "xprod", false},
		{"p*d", "prodx", false},
		{"p*d", "prod", true},
	}
	for _, tc := range cases {
		if got := FilterMatches(tc.filter, tc.name); got != tc.want {
			t.Errorf("FilterMatches(%q, %q) = %v, want %v", tc.filter, tc.name, got, tc.want)
		}
	}
}

func TestMatchesAny_anyFilterSelects(t *testing.T) {
	cases := []struct {
		filters []string
		name    string
		want    bool
	}{
		{nil, "prod", false},
		{[]string{}, "prod", false},
		{[]string{"dev", "*prod"}, "repo-prod", true},
		{[]string{"dev", "*prod"}, "prod-repo", false},
		{[]string{"dev", "prod"}, "prod-repo", true},
	}
	for _, tc := range cases {
		if got := MatchesAny(tc.filters, tc.name); got != tc.want {
			t.Errorf("MatchesAny(%q, %q) = %v, want %v", tc.filters, tc.name, got, tc.want)
		}
	}
}

func TestValidateFilter_acceptsEcrSyntax(t *testing.T) {
	valid := []string{
		"a", "0", "*", "**", "prod", "*prod", "prod*", "*prod*", "prod*repo",
		"team/prod", "team/*", "*/svc", "a.b_c-d/e", "a-*", "*-a", "a*-*b", "a.*.b",
		"9lives", "x1/y2.z3",
		strings.Repeat("a", 255),
		strings.Repeat("*", 255),
	}
	for _, f := range valid {
		if err := ValidateFilter(f); err != nil {
			t.Errorf("ValidateFilter(%q) = %v, want nil", f, err)
		}
	}
}

func TestValidateFilter_rejectsWhatEcrRefuses(t *testing.T) {
	cases := []struct {
		filter string
		why    string
	}{
		{"", "empty"},
		{strings.Repeat("a", 256), "256 characters"},
		{strings.Repeat("*", 256), "256 characters"},
		{"Prod", "upper case"},
		{"PROD*", "upper case"},
		{"-prod", "leading '-'"},
		{".prod", "leading '.'"},
		{"_prod", "leading '_'"},
		{"/prod", "leading '/'"},
		{"prod-", "trailing '-'"},
		{"prod/", "trailing '/'"},
		{"prod.", "trailing '.'"},
		{"prod_", "trailing '_'"},
		{"a--b", "double separator"},
		{"a//b", "double separator"},
		{"a..b", "double separator"},
		{"a__b", "double separator"},
		{"a._b", "mixed double separator"},
		{"a-/b", "mixed double separator"},
		{"a b", "space"},
		{"a+b", "plus"},
		{"a:b", "colon"},
		{"a?b", "question mark"},
		{"é", "non-ASCII"},
		{"a\nb", "newline"},
	}
	for _, tc := range cases {
		if err := ValidateFilter(tc.filter); err == nil {
			t.Errorf("ValidateFilter(%q) = nil, want an error (%s)", tc.filter, tc.why)
		}
	}
}

func TestValidateFilter_errorExplainsLength(t *testing.T) {
	err := ValidateFilter(strings.Repeat("a", 256))
	if err == nil || !strings.Contains(err.Error(), "255") {
		t.Errorf("ValidateFilter(256 characters) = %v, want an error naming the 255 limit", err)
	}
}

func TestValidateRepositoryName_acceptsEcrNames(t *testing.T) {
	// ECR's current published pattern allows '.', '_', '__' and runs of '-'
	// between lower-case alphanumeric runs, in '/'-separated segments.
	valid := []string{
		"ab", "a1", "00", "nginx-web-app", "project-a/nginx-web-app",
		"a.b", "a_b", "a__b", "a-b", "a--b", "a---b", "a/b", "a/b/c/d",
		"team/prod/svc", "x1.y2_z3-w4", "a/b__c/d--e",
		strings.Repeat("a", 256),
		strings.Repeat("a/", 127) + "ab",
	}
	for _, name := range valid {
		if err := ValidateRepositoryName(name); err != nil {
			t.Errorf("ValidateRepositoryName(%q) = %v, want nil", name, err)
		}
	}
}

func TestValidateRepositoryName_rejectsWhatEcrRefuses(t *testing.T) {
	cases := []struct {
		name string
		why  string
	}{
		{"", "empty"},
		{"a", "one character"},
		{strings.Repeat("a", 257), "257 characters"},
		{"Nginx", "upper case"},
		{"team/Prod", "upper case"},
		{"/ab", "leading slash"},
		{"ab/", "trailing slash"},
		{"a//b", "empty segment"},
		{"-ab", "leading '-'"},
		{"ab-", "trailing '-'"},
		{"_ab", "leading '_'"},
		{".ab", "leading '.'"},
		{"a/-b", "segment starting with '-'"},
		{"a-/b", "segment ending with '-'"},
		{"a___b", "three underscores"},
		{"a..b", "two dots"},
		{"a._b", "mixed separators"},
		{"a_-b", "mixed separators"},
		{"a*b", "wildcard"},
		{"a b", "space"},
		{"a:b", "colon"},
		{"né", "non-ASCII"},
	}
	for _, tc := range cases {
		if err := ValidateRepositoryName(tc.name); err == nil {
			t.Errorf("ValidateRepositoryName(%q) = nil, want an error (%s)", tc.name, tc.why)
		}
	}
}

// referenceMatches is FilterMatches written independently from regexp: a
// filter without '*' is a literal substring; with '*' it is an anchored
// pattern in which each '*' is any run of characters.
func referenceMatches(filter, name string) bool {
	if !strings.Contains(filter, "*") {
		return regexp.MustCompile(regexp.QuoteMeta(filter)).MatchString(name)
	}
	parts := strings.Split(filter, "*")
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	return regexp.MustCompile(`(?s)^` + strings.Join(parts, ".*") + `$`).MatchString(name)
}

func TestReferenceMatches_agreesWithTables(t *testing.T) {
	// Guards the fuzz target's oracle: it must agree with the documented rows.
	for _, tc := range append(userGuideCases(), ecrDocCases...) {
		if got := referenceMatches(tc.filter, tc.name); got != tc.want {
			t.Errorf("referenceMatches(%q, %q) = %v, want %v", tc.filter, tc.name, got, tc.want)
		}
	}
}

func FuzzFilterMatches(f *testing.F) {
	for _, tc := range append(userGuideCases(), ecrDocCases...) {
		f.Add(tc.filter, tc.name)
	}
	f.Fuzz(func(t *testing.T, filter, name string) {
		if ValidateFilter(filter) != nil {
			t.Skip()
		}
		got, want := FilterMatches(filter, name), referenceMatches(filter, name)
		if got != want {
			t.Errorf("FilterMatches(%q, %q) = %v, reference says %v", filter, name, got, want)
		}
	})
}

// referenceNameValid checks ECR's repository-name rules by hand: 2 to 256
// characters; '/'-separated segments; each segment lower-case alphanumeric
// runs joined by '.', '_', '__' or one or more '-'.
func referenceNameValid(name string) bool {
	if len(name) < 2 || len(name) > 256 {
		return false
	}
	for _, seg := range strings.Split(name, "/") {
		if !referenceSegmentValid(seg) {
			return false
		}
	}
	return true
}

func referenceSegmentValid(seg string) bool {
	isAlnum := func(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }
	if seg == "" || !isAlnum(seg[0]) || !isAlnum(seg[len(seg)-1]) {
		return false
	}
	for i := 0; i < len(seg); {
		if isAlnum(seg[i]) {
			i++
			continue
		}
		j := i
		for j < len(seg) && !isAlnum(seg[j]) {
			j++
		}
		sep := seg[i:j]
		if sep != "." && sep != "_" && sep != "__" && strings.Trim(sep, "-") != "" {
			return false
		}
		i = j
	}
	return true
}

func FuzzValidateRepositoryName(f *testing.F) {
	for _, s := range []string{
		"ab", "a", "", "nginx-web-app", "project-a/nginx-web-app", "a__b", "a___b",
		"a--b", "a//b", "/ab", "ab/", "Ab", "a._b", "a/b/c", "né",
		strings.Repeat("a", 256), strings.Repeat("a", 257),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		err := ValidateRepositoryName(name)
		if want := referenceNameValid(name); (err == nil) != want {
			t.Errorf("ValidateRepositoryName(%q) = %v, reference says valid=%v", name, err, want)
		}
	})
}
