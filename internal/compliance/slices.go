package compliance

import "slices"

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
