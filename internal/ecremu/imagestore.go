package ecremu

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// PutImage stores img in a repository and returns its digest. Defaults:
// PushedAt now, ManifestMediaType the OCI manifest (OCI index when
// Manifests is set), ArtifactMediaType the matching config type, a
// generated manifest, Digest its sha256, SizeInBytes a plausible size (an
// index: its largest platform image), Scan.Status COMPLETE. Tags move from
// any image holding them (the repository is MUTABLE). Putting an existing
// digest again adds its tags and, when Scan is set, replaces its scan.
func (s *Server) PutImage(region, repoName string, img Image) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, r, err := s.lookupRepo(region, repoName)
	if err != nil {
		return "", err
	}
	return s.putImageLocked(r, img, time.Time{}, 0)
}

func (s *Server) putImageLocked(r *repo, in Image, parentPushed time.Time, depth int) (string, error) {
	if depth > 2 {
		return "", errors.New("ecremu: image indexes nest at most two levels")
	}
	img := copyImage(in)
	if img.PushedAt.IsZero() {
		img.PushedAt = parentPushed
		if img.PushedAt.IsZero() {
			img.PushedAt = s.now()
		}
	}
	if img.Digest != "" && !sha256RE.MatchString(img.Digest) {
		return "", fmt.Errorf("ecremu: digest %q is not sha256:<64 lower-case hex>", img.Digest)
	}
	if img.SubjectDigest != "" && !sha256RE.MatchString(img.SubjectDigest) {
		return "", fmt.Errorf("ecremu: subject digest %q is not sha256:<64 lower-case hex>", img.SubjectDigest)
	}
	for _, t := range img.Tags {
		if len(t) < 1 || len(t) > 300 || strings.ContainsAny(t, " /:@") {
			return "", fmt.Errorf("ecremu: invalid image tag %q", t)
		}
	}
	isIndex := len(in.Manifests) > 0 || isIndexType(img.ManifestMediaType)
	if img.ManifestMediaType == "" {
		img.ManifestMediaType = MediaTypeOCIManifest
		if isIndex {
			img.ManifestMediaType = MediaTypeOCIIndex
		}
	}
	if img.ArtifactMediaType == "" && !isIndex {
		img.ArtifactMediaType = MediaTypeOCIConfig
		if img.ManifestMediaType == MediaTypeDockerManifest {
			img.ArtifactMediaType = MediaTypeDockerConfig
		}
	}
	var children []descriptor
	var childDigests []string
	if isIndex {
		var maxSize int64
		for _, c := range in.Manifests {
			d, err := s.indexChild(r, c, img.PushedAt, depth)
			if err != nil {
				return "", err
			}
			children = append(children, d)
			childDigests = append(childDigests, d.Digest)
			maxSize = max(maxSize, r.images[d.Digest].img.SizeInBytes)
		}
		if img.SizeInBytes == 0 {
			img.SizeInBytes = maxSize
		}
	} else if img.SizeInBytes == 0 {
		img.SizeInBytes = defaultSize(img.Digest + strings.Join(img.Tags, ",") + img.PushedAt.String() +
			fmt.Sprint(img.Platform))
	}
	var subject *descriptor
	if img.SubjectDigest != "" {
		subject = &descriptor{MediaType: MediaTypeOCIManifest, Digest: img.SubjectDigest}
		if sub, ok := r.images[img.SubjectDigest]; ok {
			subject.MediaType, subject.Size = sub.img.ManifestMediaType, int64(len(sub.manifest))
		}
	}
	manifest := img.Manifest
	if manifest == "" {
		manifest = buildManifest(&img, children, subject)
	}
	img.Manifest = ""
	if img.Digest == "" {
		img.Digest = sha256Digest(manifest)
	}
	if img.Scan != nil && img.Scan.Status == "" {
		img.Scan.Status = "COMPLETE"
	}
	if existing, ok := r.images[img.Digest]; ok {
		if img.Scan != nil {
			existing.img.Scan = img.Scan
		}
		return img.Digest, s.tagLocked(r, existing, img.Tags)
	}
	tags := img.Tags
	img.Tags = nil
	si := &storedImage{img: img, manifest: manifest, children: childDigests}
	if err := s.checkTagsLocked(r, img.Digest, tags); err != nil {
		return "", err
	}
	r.images[img.Digest] = si
	return img.Digest, s.tagLocked(r, si, tags)
}

// indexChild stores (or finds) one platform image of an index and returns
// its index entry.
func (s *Server) indexChild(r *repo, c Image, pushed time.Time, depth int) (descriptor, error) {
	if c.Digest != "" {
		if ex, ok := r.images[c.Digest]; ok && len(c.Manifests) == 0 {
			p := c.Platform
			if p == nil {
				p = ex.img.Platform
			}
			return descriptor{MediaType: ex.img.ManifestMediaType, Digest: ex.img.Digest,
				Size: int64(len(ex.manifest)), Platform: p}, nil
		}
	}
	d, err := s.putImageLocked(r, c, pushed, depth+1)
	if err != nil {
		return descriptor{}, err
	}
	st := r.images[d]
	return descriptor{MediaType: st.img.ManifestMediaType, Digest: d,
		Size: int64(len(st.manifest)), Platform: st.img.Platform}, nil
}

func (s *Server) checkTagsLocked(r *repo, digest string, tags []string) error {
	if r.tagMutability != "IMMUTABLE" {
		return nil
	}
	for _, t := range tags {
		if cur, ok := r.tags[t]; ok && cur != digest {
			return fmt.Errorf("ecremu: tag %q already exists in immutable repository %q", t, r.name)
		}
	}
	return nil
}

// tagLocked points tags at si, moving each from any image that held it.
func (s *Server) tagLocked(r *repo, si *storedImage, tags []string) error {
	if err := s.checkTagsLocked(r, si.img.Digest, tags); err != nil {
		return err
	}
	for _, t := range tags {
		if cur, ok := r.tags[t]; ok && cur != si.img.Digest {
			if old, ok := r.images[cur]; ok {
				old.img.Tags = slices.DeleteFunc(old.img.Tags, func(x string) bool { return x == t })
			}
		}
		r.tags[t] = si.img.Digest
		if !slices.Contains(si.img.Tags, t) {
			si.img.Tags = append(si.img.Tags, t)
		}
	}
	return nil
}

// lookupRef finds an image by digest (contains ':') or tag.
func (r *repo) lookupRef(ref string) (*storedImage, bool) {
	if strings.Contains(ref, ":") {
		si, ok := r.images[ref]
		return si, ok
	}
	d, ok := r.tags[ref]
	if !ok {
		return nil, false
	}
	si, ok := r.images[d]
	return si, ok
}

// Image reads back a stored image by digest or tag, with its manifest.
func (s *Server) Image(region, repoName, ref string) (Image, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	r, ok := s.readRegion(region).repos[repoName]
	if !ok {
		return Image{}, false
	}
	si, ok := r.lookupRef(ref)
	if !ok {
		return Image{}, false
	}
	out := copyImage(si.img)
	out.Manifest = si.manifest
	return out, true
}

// SetImageScan replaces an image's scan state (nil: never scanned).
func (s *Server) SetImageScan(region, repoName, ref string, scan *Scan) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, r, err := s.lookupRepo(region, repoName)
	if err != nil {
		return err
	}
	si, ok := r.lookupRef(ref)
	if !ok {
		return fmt.Errorf("ecremu: image %q not found in %s", ref, repoName)
	}
	if scan == nil {
		si.img.Scan = nil
		return nil
	}
	c := copyImage(Image{Scan: scan}).Scan
	if c.Status == "" {
		c.Status = "COMPLETE"
	}
	si.img.Scan = c
	return nil
}

// resolveImageID finds the image an ImageIdentifier names. The failure
// code and reason follow BatchGetImage's failures[] vocabulary.
func (r *repo) resolveImageID(id imageIDIn) (*storedImage, string, string) {
	switch {
	case id.ImageDigest == nil && id.ImageTag == nil:
		return nil, "MissingDigestAndTag", "Invalid request parameters: both tag and digest cannot be null"
	case id.ImageDigest != nil && !digestRE.MatchString(*id.ImageDigest):
		return nil, "InvalidImageDigest",
			"Invalid request parameters: image digest should satisfy the regex '" + digestPattern + "'"
	case id.ImageTag != nil && (len(*id.ImageTag) < 1 || len(*id.ImageTag) > 300):
		return nil, "InvalidImageTag", "Invalid request parameters: image tag should have length between 1 and 300"
	}
	var si *storedImage
	if id.ImageDigest != nil {
		si = r.images[*id.ImageDigest]
		if si == nil {
			return nil, "ImageNotFound", "Requested image not found"
		}
		if id.ImageTag != nil && r.tags[*id.ImageTag] != si.img.Digest {
			if _, tagged := r.tags[*id.ImageTag]; tagged {
				return nil, "ImageTagDoesNotMatchDigest",
					"Invalid request parameters: given tag does not map to the given digest"
			}
			return nil, "ImageNotFound", "Requested image not found"
		}
		return si, "", ""
	}
	d, ok := r.tags[*id.ImageTag]
	if !ok {
		return nil, "ImageNotFound", "Requested image not found"
	}
	return r.images[d], "", ""
}

// findImage resolves an ImageIdentifier of a DescribeImages or scan request:
// a malformed identifier is an InvalidParameterException, any other failure
// an ImageNotFoundException.
func (r *repo) findImage(c *call, id imageIDIn) (*storedImage, *apiError) {
	si, code, reason := r.resolveImageID(id)
	switch code {
	case "":
		return si, nil
	case "MissingDigestAndTag", "InvalidImageDigest", "InvalidImageTag":
		return nil, newAPIError(codeInvalidParameter, "%s", reason)
	default:
		return nil, errImageNotFound(id, r.name, c.account)
	}
}

// sortedDigests lists a repository's image digests in digest order, which
// is deliberately not push order.
func (r *repo) sortedDigests() []string {
	out := make([]string, 0, len(r.images))
	for d := range r.images {
		out = append(out, d)
	}
	slices.Sort(out)
	return out
}
