package compliance

import (
	"fmt"
	"strings"
	"time"
)

// Exemption excuses matching repositories from the control for a reason,
// until an optional expiry.
type Exemption struct {
	// Repository is an exact repository name, or a wildcard filter when it
	// contains '*' (then it must match the whole name).
	Repository string `json:"repository"`
	Reason     string `json:"reason"`
	// Expires is the first instant at which the exemption no longer counts;
	// zero means it never expires.
	Expires time.Time `json:"expires,omitzero"`
}

// Matches reports whether the exemption names the repository.
func (e Exemption) Matches(name string) bool {
	if strings.Contains(e.Repository, "*") {
		return FilterMatches(e.Repository, name)
	}
	return e.Repository == name
}

// Active reports whether the exemption still counts at now.
func (e Exemption) Active(now time.Time) bool {
	return e.Expires.IsZero() || now.Before(e.Expires)
}

// ParseExpiry reads an RFC 3339 date-time, or a date (YYYY-MM-DD), which is
// taken to last through the end of that day in UTC.
func ParseExpiry(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if d, err := time.Parse(time.DateOnly, s); err == nil {
		return d.AddDate(0, 0, 1), nil
	}
	return time.Time{}, fmt.Errorf(
		"%q is neither an RFC 3339 date-time (2027-01-31T18:00:00Z) nor a date (2027-01-31)", s)
}

// ThirdPartyScanner declares that an external scanner covers repositories.
type ThirdPartyScanner struct {
	Name    string   `json:"name"`
	Filters []string `json:"repository_filters"`
}
