package compliance

import (
	"fmt"
	"regexp"
	"strings"
)

// ECR's documented patterns. A scanning filter is 1 to 255 characters; a
// repository name is 2 to 256 characters made of slash-separated segments.
var (
	filterPattern = regexp.MustCompile(`^[a-z0-9*](?:[._\-/a-z0-9*]?[a-z0-9*]+)*$`)
	namePattern   = regexp.MustCompile(
		`^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$`)
)

const (
	maxFilterLength = 255
	minNameLength   = 2
	maxNameLength   = 256
)

// FilterMatches reports whether an ECR scanning filter (filterType WILDCARD)
// selects the repository name.
//
// A filter without '*' matches every name that contains it. A filter with
// '*' must match the whole name, each '*' standing for zero or more
// characters.
func FilterMatches(filter, name string) bool {
	star := strings.IndexByte(filter, '*')
	if star < 0 {
		return strings.Contains(name, filter)
	}

	// The part before the first '*' and the part after the last are
	// anchored; the parts between match left to right, each at its leftmost
	// place, inside the span the anchors leave. Leftmost is always safe.
	last := strings.LastIndexByte(filter, '*')
	prefix, suffix := filter[:star], filter[last+1:]
	if len(name) < len(prefix)+len(suffix) ||
		!strings.HasPrefix(name, prefix) || !strings.HasSuffix(name, suffix) {
		return false
	}
	rest := name[len(prefix) : len(name)-len(suffix)]
	middle := filter[star+1 : max(last, star+1)]
	for middle != "" {
		part, after, _ := strings.Cut(middle, "*")
		middle = after
		if part == "" {
			continue
		}
		i := strings.Index(rest, part)
		if i < 0 {
			return false
		}
		rest = rest[i+len(part):]
	}
	return true
}

// MatchesAny reports whether any of the filters selects the name.
func MatchesAny(filters []string, name string) bool {
	for _, f := range filters {
		if FilterMatches(f, name) {
			return true
		}
	}
	return false
}

// ValidateFilter returns an error that explains why ECR would refuse the
// filter, or nil.
func ValidateFilter(filter string) error {
	switch {
	case filter == "":
		return fmt.Errorf("a repository filter must not be empty")
	case len(filter) > maxFilterLength:
		return fmt.Errorf("repository filter %q is %d characters long; ECR allows at most %d",
			filter, len(filter), maxFilterLength)
	case strings.ToLower(filter) != filter:
		return fmt.Errorf("repository filter %q has upper-case letters; ECR filters are lower case",
			filter)
	case !filterPattern.MatchString(filter):
		return fmt.Errorf("repository filter %q is not a valid ECR wildcard filter: use lower-case "+
			"letters, digits and '*', with single '.', '_', '-' or '/' between them, "+
			"starting and ending with a letter, digit or '*'", filter)
	}
	return nil
}

// ValidateRepositoryName returns an error that explains why ECR would refuse
// the repository name, or nil.
func ValidateRepositoryName(name string) error {
	switch {
	case len(name) < minNameLength || len(name) > maxNameLength:
		return fmt.Errorf("repository name %q must be %d to %d characters long",
			name, minNameLength, maxNameLength)
	case strings.ToLower(name) != name:
		return fmt.Errorf("repository name %q has upper-case letters; ECR names are lower case", name)
	case !namePattern.MatchString(name):
		return fmt.Errorf("repository name %q is not a valid ECR name: use '/'-separated segments "+
			"of lower-case letters and digits joined by '.', '_', '__' or '-'", name)
	}
	return nil
}
