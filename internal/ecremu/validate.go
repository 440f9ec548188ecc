package ecremu

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Constraint patterns from the ECR API reference.
const (
	repoNamePattern   = `(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*`
	filterPattern     = `^[a-z0-9*](?:[._\-/a-z0-9*]?[a-z0-9*]+)*$`
	registryIDPattern = `[0-9]{12}`
	digestPattern     = `[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+`
)

var (
	repoNameRE   = regexp.MustCompile(`^` + repoNamePattern + `$`)
	filterRE     = regexp.MustCompile(filterPattern)
	registryIDRE = regexp.MustCompile(`^` + registryIDPattern + `$`)
	digestRE     = regexp.MustCompile(`^` + digestPattern + `$`)
	sha256RE     = regexp.MustCompile(`^sha256:[a-f0-9]{64}$`)
)

// validRepositoryName reports whether name is a legal ECR repository name:
// 2 to 256 characters, `/`-separated segments of [a-z0-9] runs joined by
// one of `.`, `_` or `-`.
func validRepositoryName(name string) bool {
	return len(name) >= 2 && len(name) <= 256 && repoNameRE.MatchString(name)
}

// validFilter reports whether f is a legal scanning repository filter.
func validFilter(f string) bool {
	return len(f) >= 1 && len(f) <= 255 && filterRE.MatchString(f)
}

// errStyle selects how constraint violations are reported. ECR's older
// operations report them as InvalidParameterException; the registry
// scanning operations (2021) as ValidationException in the standard AWS
// "N validation errors detected" form.
type errStyle int

const (
	styleInvalidParameter errStyle = iota
	styleValidation
)

type violation struct {
	value, path, constraint string
}

// violations collects constraint failures of one request.
type violations struct {
	list []violation
}

func (v *violations) add(path, value, constraint string) {
	v.list = append(v.list, violation{value: value, path: path, constraint: constraint})
}

func (v *violations) addf(path, value, format string, args ...any) {
	v.add(path, value, fmt.Sprintf(format, args...))
}

func (v *violations) err(style errStyle) *apiError {
	if len(v.list) == 0 {
		return nil
	}
	if style == styleInvalidParameter {
		first := v.list[0]
		return newAPIError(codeInvalidParameter, "Invalid parameter at '%s' failed to satisfy constraint: '%s'",
			first.path, first.constraint)
	}
	parts := make([]string, len(v.list))
	for i, x := range v.list {
		parts[i] = fmt.Sprintf("Value %s at '%s' failed to satisfy constraint: %s", x.value, x.path, x.constraint)
	}
	noun := "errors"
	if len(v.list) == 1 {
		noun = "error"
	}
	return newAPIError(codeValidation, "%d validation %s detected: %s",
		len(v.list), noun, strings.Join(parts, "; "))
}

func quoteVal(s string) string {
	if len(s) > 300 {
		s = s[:300] + "..."
	}
	return "'" + s + "'"
}

func strVal(p *string) string {
	if p == nil {
		return "null"
	}
	return quoteVal(*p)
}

// checkRepoName validates a repositoryName member; required members must be
// present.
func (v *violations) checkRepoName(path string, name *string, required bool) {
	if name == nil {
		if required {
			v.add(path, "null", "Member must not be null")
		}
		return
	}
	v.checkRepoNameValue(path, *name)
}

func (v *violations) checkRepoNameValue(path, name string) {
	switch {
	case len(name) < 2:
		v.add(path, quoteVal(name), "Member must have length greater than or equal to 2")
	case len(name) > 256:
		v.add(path, quoteVal(name), "Member must have length less than or equal to 256")
	case !repoNameRE.MatchString(name):
		v.add(path, quoteVal(name), "Member must satisfy regular expression pattern: "+repoNamePattern)
	}
}

func (v *violations) checkRegistryID(id *string) {
	if id != nil && !registryIDRE.MatchString(*id) {
		v.add("registryId", quoteVal(*id), "Member must satisfy regular expression pattern: "+registryIDPattern)
	}
}

func (v *violations) checkMaxResults(mr *int32, max int32) {
	if mr == nil {
		return
	}
	val := strconv.Itoa(int(*mr))
	if *mr < 1 {
		v.add("maxResults", val, "Member must have value greater than or equal to 1")
	} else if *mr > max {
		v.addf("maxResults", val, "Member must have value less than or equal to %d", max)
	}
}

func (v *violations) checkListLen(path string, n, min, max int, present bool) {
	switch {
	case !present:
		return
	case n < min:
		v.addf(path, "[]", "Member must have length greater than or equal to %d", min)
	case n > max:
		v.addf(path, fmt.Sprintf("[%d items]", n), "Member must have length less than or equal to %d", max)
	}
}

func (v *violations) checkEnum(path string, val *string, allowed ...string) {
	if val == nil {
		return
	}
	for _, a := range allowed {
		if *val == a {
			return
		}
	}
	v.addf(path, quoteVal(*val), "Member must satisfy enum value set: [%s]", strings.Join(allowed, ", "))
}

// checkNextToken validates the length of a nextToken member.
func (v *violations) checkNextToken(tok *string) {
	if tok != nil && len(*tok) > 2048 {
		v.add("nextToken", "'...'", "Member must have length less than or equal to 2048")
	}
}

// imageIDIn is an ImageIdentifier in a request.
type imageIDIn struct {
	ImageDigest *string `json:"imageDigest"`
	ImageTag    *string `json:"imageTag"`
}

func (id imageIDIn) describe() string {
	return fmt.Sprintf("{imageDigest:%s, imageTag:%s}", strVal(id.ImageDigest), strVal(id.ImageTag))
}

// checkImageID validates the members of an ImageIdentifier.
func (v *violations) checkImageID(path string, id imageIDIn) {
	if id.ImageTag != nil && (len(*id.ImageTag) < 1 || len(*id.ImageTag) > 300) {
		v.add(path+".imageTag", quoteVal(*id.ImageTag), "Member must have length between 1 and 300")
	}
}
