package compliance

import (
	"slices"
	"testing"
)

func TestSelectRepositories(t *testing.T) {
	existing := []string{"prod", "app-prod-api", "dev/web", "team/prod/svc", "other"}
	cases := []struct {
		name    string
		names   []string
		filters []string
		want    []string
	}{
		{"filter without star is a substring", nil, []string{"prod"},
			[]string{"app-prod-api", "prod", "team/prod/svc"}},
		{"filter with star matches the whole name", nil, []string{"*prod"}, []string{"prod"}},
		{"every repository", nil, []string{"*"}, []string{"app-prod-api", "dev/web", "other",
			"prod", "team/prod/svc"}},
		{"names that exist", []string{"other", "missing", "prod"}, []string{"*"},
			[]string{"other", "prod"}},
		{"an empty name set selects nothing", []string{}, []string{"*"}, []string{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := SelectRepositories(existing, tc.names, tc.filters)
			if !slices.Equal(got, tc.want) {
				t.Errorf("SelectRepositories = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestPlanFlags_andRestoreFlags(t *testing.T) {
	flags := map[string]bool{"a": false, "b": true, "c": false, "d": true, "e": true}
	fc := PlanFlags([]string{"c", "a", "b", "gone"}, []string{"d", "b", "x"}, flags)
	if !slices.Equal(fc.TurnOn, []string{"a", "c"}) {
		t.Errorf("TurnOn = %q, want [a c]", fc.TurnOn)
	}
	if !slices.Equal(fc.TurnOff, []string{"d"}) {
		t.Errorf("TurnOff = %q, want [d]: b is still selected, x is gone", fc.TurnOff)
	}
	if got := RestoreFlags([]string{"e", "a", "b", "x"}, flags); !slices.Equal(got,
		[]string{"b", "e"}) {
		t.Errorf("RestoreFlags = %q, want [b e]: a is already off, x is gone", got)
	}
}
