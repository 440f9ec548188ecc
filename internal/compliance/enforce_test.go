package compliance

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

const (
	basic    = ScanTypeBasic
	enhanced = ScanTypeEnhanced
	push     = FrequencyScanOnPush
	cont     = FrequencyContinuous
)

func TestPlan_mergesAndRecordsWhatItAdds(t *testing.T) {
	cases := []struct {
		name      string
		current   Registry
		owned     Owned
		want      Desired
		next      Registry
		nextOwned Owned
	}{
		{
			name:      "empty basic registry gets a rule",
			current:   registry(basic),
			want:      Desired{Frequency: push, Filters: []string{"*"}},
			next:      registry(basic, rule(push, "*")),
			nextOwned: Owned{Frequency: push, Filters: []string{"*"}},
		},
		{
			name:      "another team's continuous rule is kept",
			current:   registry(enhanced, rule(cont, "team-a/*")),
			want:      Desired{Frequency: push, Filters: []string{"*"}},
			next:      registry(enhanced, rule(cont, "team-a/*"), rule(push, "*")),
			nextOwned: Owned{Frequency: push, Filters: []string{"*"}},
		},
		{
			name:      "a filter already present is not owned",
			current:   registry(basic, rule(push, "prod")),
			want:      Desired{Frequency: push, Filters: []string{"prod", "dev"}},
			next:      registry(basic, rule(push, "prod", "dev")),
			nextOwned: Owned{Frequency: push, Filters: []string{"dev"}},
		},
		{
			name:      "nothing to add owns nothing",
			current:   registry(basic, rule(push, "*")),
			want:      Desired{Frequency: push, Filters: []string{"*"}},
			next:      registry(basic, rule(push, "*")),
			nextOwned: Owned{Frequency: push, Filters: []string{}},
		},
		{
			name:      "unset scan type keeps enhanced",
			current:   registry(enhanced),
			want:      Desired{Frequency: push, Filters: []string{"*"}},
			next:      registry(enhanced, rule(push, "*")),
			nextOwned: Owned{Frequency: push, Filters: []string{"*"}},
		},
		{
			name:    "upgrading to enhanced records the old type",
			current: registry(basic),
			want:    Desired{ScanType: enhanced, Frequency: cont, Filters: []string{"prod*"}},
			next:    registry(enhanced, rule(cont, "prod*")),
			nextOwned: Owned{Frequency: cont, Filters: []string{"prod*"},
				ScanTypeFrom: basic},
		},
		{
			name:    "the recorded old type survives an update",
			current: registry(enhanced, rule(cont, "prod*")),
			owned:   Owned{Frequency: cont, Filters: []string{"prod*"}, ScanTypeFrom: basic},
			want:    Desired{Frequency: cont, Filters: []string{"prod*", "api"}},
			next:    registry(enhanced, rule(cont, "prod*", "api")),
			nextOwned: Owned{Frequency: cont, Filters: []string{"api", "prod*"},
				ScanTypeFrom: basic},
		},
		{
			name:      "going back to the old type forgets it",
			current:   registry(enhanced, rule(push, "*")),
			owned:     Owned{Frequency: push, Filters: []string{"*"}, ScanTypeFrom: basic},
			want:      Desired{ScanType: basic, Frequency: push, Filters: []string{"*"}},
			next:      registry(basic, rule(push, "*")),
			nextOwned: Owned{Frequency: push, Filters: []string{"*"}},
		},
		{
			name:      "a removed filter it added is taken out",
			current:   registry(basic, rule(push, "prod", "dev", "qa")),
			owned:     Owned{Frequency: push, Filters: []string{"dev", "qa"}},
			want:      Desired{Frequency: push, Filters: []string{"dev"}},
			next:      registry(basic, rule(push, "prod", "dev")),
			nextOwned: Owned{Frequency: push, Filters: []string{"dev"}},
		},
		{
			name:      "a removed filter it did not add stays",
			current:   registry(basic, rule(push, "prod", "dev")),
			owned:     Owned{Frequency: push, Filters: []string{"dev"}},
			want:      Desired{Frequency: push, Filters: []string{"dev"}},
			next:      registry(basic, rule(push, "prod", "dev")),
			nextOwned: Owned{Frequency: push, Filters: []string{"dev"}},
		},
		{
			name:      "a new frequency moves its filters and drops its emptied rule",
			current:   registry(enhanced, rule(cont, "team-a/*"), rule(push, "*")),
			owned:     Owned{Frequency: push, Filters: []string{"*"}},
			want:      Desired{Frequency: cont, Filters: []string{"*"}},
			next:      registry(enhanced, rule(cont, "team-a/*", "*")),
			nextOwned: Owned{Frequency: cont, Filters: []string{"*"}},
		},
		{
			name:      "a filter it added and someone removed is added again",
			current:   registry(basic, rule(push, "prod")),
			owned:     Owned{Frequency: push, Filters: []string{"dev"}},
			want:      Desired{Frequency: push, Filters: []string{"dev"}},
			next:      registry(basic, rule(push, "prod", "dev")),
			nextOwned: Owned{Frequency: push, Filters: []string{"dev"}},
		},
		{
			name:      "the scan type an adopter never changed is not recorded",
			current:   registry(enhanced, rule(push, "*")),
			want:      Desired{ScanType: enhanced, Frequency: push, Filters: []string{"*"}},
			next:      registry(enhanced, rule(push, "*")),
			nextOwned: Owned{Frequency: push, Filters: []string{}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			next, owned, err := Plan(tc.current, tc.owned, tc.want)
			if err != nil {
				t.Fatalf("Plan: %v", err)
			}
			if !next.Equal(tc.next) || next.ID != tc.current.ID {
				t.Errorf("next = %s, want %s", next.Summary(), tc.next.Summary())
			}
			if owned.Frequency != tc.nextOwned.Frequency ||
				!slices.Equal(owned.Filters, tc.nextOwned.Filters) ||
				owned.ScanTypeFrom != tc.nextOwned.ScanTypeFrom {
				t.Errorf("owned = %+v, want %+v", owned, tc.nextOwned)
			}
		})
	}
}

func TestPlan_refusesWhatEcrRefuses(t *testing.T) {
	hundred := make([]string, 100)
	for i := range hundred {
		hundred[i] = fmt.Sprintf("repo-%03d", i)
	}
	cases := []struct {
		name    string
		current Registry
		want    Desired
		err     error
		says    string
	}{
		{
			name:    "a third rule",
			current: registry(enhanced, rule(cont, "a"), rule(cont, "b")),
			want:    Desired{Frequency: push, Filters: []string{"*"}},
			err:     ErrTooManyRules, says: "at most 2 rules",
		},
		{
			name:    "the 101st filter",
			current: registry(basic, rule(push, hundred...)),
			want:    Desired{Frequency: push, Filters: []string{"new"}},
			err:     ErrTooManyFilters, says: "would hold 101",
		},
		{
			name:    "continuous under basic",
			current: registry(basic),
			want:    Desired{Frequency: cont, Filters: []string{"*"}},
			err:     ErrNeedsEnhanced, says: "this enforcement scans CONTINUOUS_SCAN",
		},
		{
			name:    "continuous with explicit basic",
			current: registry(enhanced),
			want:    Desired{ScanType: basic, Frequency: cont, Filters: []string{"*"}},
			err:     ErrNeedsEnhanced, says: "scan type would be BASIC",
		},
		{
			name:    "downgrade that breaks another team's continuous rule",
			current: registry(enhanced, rule(cont, "team-a/*")),
			want:    Desired{ScanType: basic, Frequency: push, Filters: []string{"*"}},
			err:     ErrNeedsEnhanced, says: "another rule of the registry",
		},
		{
			name:    "bad filter syntax",
			current: registry(basic),
			want:    Desired{Frequency: push, Filters: []string{"Prod"}},
			err:     ErrInvalidFilter, says: "upper-case",
		},
		{
			name:    "no filters",
			current: registry(basic),
			want:    Desired{Frequency: push},
			err:     ErrInvalidFilter, says: "at least one",
		},
		{
			name:    "manual is no rule frequency",
			current: registry(basic),
			want:    Desired{Frequency: FrequencyManual, Filters: []string{"*"}},
			err:     ErrInvalidFrequency, says: "MANUAL",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := Plan(tc.current, Owned{}, tc.want)
			if !errors.Is(err, tc.err) {
				t.Fatalf("Plan error = %v, want %v", err, tc.err)
			}
			if !strings.Contains(err.Error(), tc.says) {
				t.Errorf("error %q does not say %q", err, tc.says)
			}
		})
	}
}

func TestPlan_leavesItsInputAlone(t *testing.T) {
	current := registry(basic, rule(push, "prod", "dev"))
	owned := Owned{Frequency: push, Filters: []string{"dev"}}
	next, _, err := Plan(current, owned, Desired{Frequency: push, Filters: []string{"qa"}})
	if err != nil {
		t.Fatal(err)
	}
	next.Rules[0].Filters[0] = "changed"
	if !current.Equal(registry(basic, rule(push, "prod", "dev"))) {
		t.Errorf("current changed to %s", current.Summary())
	}
}

func TestRestore_undoesOnlyWhatItOwns(t *testing.T) {
	cases := []struct {
		name     string
		current  Registry
		owned    Owned
		previous Registry
		next     Registry
		noted    string
	}{
		{
			name:     "back to an empty basic registry",
			current:  registry(basic, rule(push, "*")),
			owned:    Owned{Frequency: push, Filters: []string{"*"}},
			previous: registry(basic),
			next:     registry(basic),
		},
		{
			name:     "another team's rule survives",
			current:  registry(enhanced, rule(cont, "team-a/*"), rule(push, "*")),
			owned:    Owned{Frequency: push, Filters: []string{"*"}},
			previous: registry(enhanced, rule(cont, "team-a/*")),
			next:     registry(enhanced, rule(cont, "team-a/*")),
		},
		{
			name:     "filters that were there before stay",
			current:  registry(basic, rule(push, "prod", "dev")),
			owned:    Owned{Frequency: push, Filters: []string{"dev"}},
			previous: registry(basic, rule(push, "prod")),
			next:     registry(basic, rule(push, "prod")),
		},
		{
			name:     "filters others added since stay",
			current:  registry(basic, rule(push, "*", "late")),
			owned:    Owned{Frequency: push, Filters: []string{"*"}},
			previous: registry(basic),
			next:     registry(basic, rule(push, "late")),
		},
		{
			name:     "the scan type it changed goes back",
			current:  registry(enhanced, rule(push, "*")),
			owned:    Owned{Frequency: push, Filters: []string{"*"}, ScanTypeFrom: basic},
			previous: registry(basic),
			next:     registry(basic),
		},
		{
			name:     "enhanced stays while another team's continuous rule needs it",
			current:  registry(enhanced, rule(push, "*"), rule(cont, "team-a/*")),
			owned:    Owned{Frequency: push, Filters: []string{"*"}, ScanTypeFrom: basic},
			previous: registry(basic),
			next:     registry(enhanced, rule(cont, "team-a/*")),
			noted:    "stays ENHANCED",
		},
		{
			name:     "the scan type it did not change stays",
			current:  registry(enhanced, rule(push, "*")),
			owned:    Owned{Frequency: push, Filters: []string{"*"}},
			previous: registry(basic),
			next:     registry(enhanced),
		},
		{
			name:     "a downgrade it made is undone",
			current:  registry(basic, rule(push, "*")),
			owned:    Owned{Frequency: push, Filters: []string{"*"}, ScanTypeFrom: enhanced},
			previous: registry(enhanced),
			next:     registry(enhanced),
		},
		{
			name:     "an adopted configuration is left alone",
			current:  registry(basic, rule(push, "*")),
			owned:    Owned{Frequency: push, Filters: []string{}},
			previous: registry(basic, rule(push, "*")),
			next:     registry(basic, rule(push, "*")),
		},
		{
			name:     "its own filters go even when the rules that were there are gone",
			current:  registry(basic, rule(push, "*")),
			owned:    Owned{Frequency: push, Filters: []string{"*"}},
			previous: registry(basic, rule(push, "prod")),
			next:     registry(basic),
		},
		{
			name:     "a filter someone already removed is no error",
			current:  registry(basic, rule(push, "prod")),
			owned:    Owned{Frequency: push, Filters: []string{"dev"}},
			previous: registry(basic, rule(push, "prod")),
			next:     registry(basic, rule(push, "prod")),
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			next, notes := Restore(tc.current, tc.owned)
			if !next.Equal(tc.next) {
				t.Errorf("next = %s, want %s", next.Summary(), tc.next.Summary())
			}
			joined := strings.Join(notes, "\n")
			switch {
			case tc.noted == "" && len(notes) > 0:
				t.Errorf("unexpected notes: %s", joined)
			case tc.noted != "" && !strings.Contains(joined, tc.noted):
				t.Errorf("notes %q do not say %q", joined, tc.noted)
			}
		})
	}
}

func TestPlanThenRestore_roundTripsToThePriorState(t *testing.T) {
	priors := []Registry{
		registry(basic),
		registry(basic, rule(push, "prod")),
		registry(enhanced, rule(cont, "team-a/*")),
		registry(enhanced, rule(push, "*"), rule(cont, "critical")),
	}
	wants := []Desired{
		{Frequency: push, Filters: []string{"*"}},
		{ScanType: enhanced, Frequency: push, Filters: []string{"prod", "api"}},
		{ScanType: enhanced, Frequency: cont, Filters: []string{"*"}},
	}
	for _, prior := range priors {
		for _, want := range wants {
			next, owned, err := Plan(prior, Owned{}, want)
			if err != nil {
				t.Fatalf("Plan(%s, %+v): %v", prior.Summary(), want, err)
			}
			back, notes := Restore(next, owned)
			if !back.Equal(prior) || len(notes) > 0 {
				t.Errorf("Plan(%s, %+v) then Restore = %s (notes %q)", prior.Summary(), want,
					back.Summary(), notes)
			}
		}
	}
}

func TestRegistry_presentFiltersAndAdoptedRule(t *testing.T) {
	reg := registry(enhanced, rule(cont, "team-a/*"), rule(push, "prod", "*"))
	if got := reg.PresentFilters(push, []string{"*", "dev", "prod"}); !slices.Equal(got,
		[]string{"*", "prod"}) {
		t.Errorf("PresentFilters = %q", got)
	}
	if got := reg.PresentFilters(FrequencyContinuous, []string{"*"}); got == nil || len(got) != 0 {
		t.Errorf("PresentFilters of a rule without them = %#v, want empty", got)
	}
	for _, tc := range []struct {
		reg  Registry
		freq Frequency
		want Rule
	}{
		{reg, "", rule(push, "prod", "*")},
		{reg, cont, rule(cont, "team-a/*")},
		{registry(enhanced, rule(cont, "x")), "", rule(cont, "x")},
		{registry(basic), "", rule(push)},
		{registry(basic), cont, rule(cont)},
		{registry(enhanced, rule(cont, "x"), rule(cont, "y")), "", rule(push)},
	} {
		got := tc.reg.AdoptedRule(tc.freq)
		if got.Frequency != tc.want.Frequency || !slices.Equal(got.Filters, tc.want.Filters) ||
			got.Filters == nil {
			t.Errorf("AdoptedRule(%s) = %+v, want %+v", tc.reg.Summary(), got, tc.want)
		}
	}
}
