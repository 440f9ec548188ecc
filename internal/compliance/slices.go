package compliance

import (
	"fmt"
	"slices"
	"strings"
)

// AppendMissing appends to dst each value it does not hold yet, in order,
// so a value repeated in values is added once.
func AppendMissing(dst []string, values ...string) []string {
	for _, v := range values {
		if !slices.Contains(dst, v) {
			dst = append(dst, v)
		}
	}
	return dst
}

// quoteList renders values as a bracketed list of quoted strings, the way
// HCL writes a list of strings: ["a", "b"].
func quoteList(values []string) string {
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = fmt.Sprintf("%q", v)
	}
	return "[" + strings.Join(quoted, ", ") + "]"
}
