package compliance

import (
	"slices"
	"testing"
)

func TestAppendMissing_addsEachNewValueOnceInOrder(t *testing.T) {
	dst := []string{"a", "b"}
	got := AppendMissing(dst, "b", "c", "a", "c", "d")
	if want := []string{"a", "b", "c", "d"}; !slices.Equal(got, want) {
		t.Errorf("AppendMissing = %q, want %q", got, want)
	}
	if got := AppendMissing(nil); got != nil {
		t.Errorf("AppendMissing(nil) = %q, want nil", got)
	}
}
