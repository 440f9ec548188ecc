package awsecr

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/c0221/terraform-provider-c0221/internal/compliance"
)

// Selection says which repositories to observe.
type Selection struct {
	// RegistryID is the registry the user named; empty means the caller's.
	RegistryID string
	// Names, when not nil, are exact repository names; the filters are then
	// not used. An empty, non-nil slice observes no repository.
	Names   []string
	Filters []string
	Exclude []string
	// Images, when set, also reads the image each repository is judged by;
	// nil makes no image call at all.
	Images *ImageQuery
}

// Selects reports whether a listed repository belongs to the selection.
func (s Selection) Selects(name string) bool {
	return compliance.MatchesAny(s.Filters, name) && !compliance.MatchesAny(s.Exclude, name)
}

// Observation is everything read for one compliance check.
type Observation struct {
	Registry     compliance.Registry
	Repositories []compliance.Observation
	// Vanished are listed repositories that were deleted before their
	// scanning configuration was read.
	Vanished []string
	Calls    Calls
}

// Calls counts the ECR calls an observation made.
type Calls struct {
	GetRegistryScanning  int
	DescribeRepositories int
	BatchGetScanning     int
	ImageCalls
}

// ForeignRegistryError is a registry_id that is not the caller's registry:
// ECR reports scanning configuration only to the registry's own account.
type ForeignRegistryError struct {
	// Want is the registry the user named; Caller is the credentials'.
	Want, Caller string
}

func (e *ForeignRegistryError) Error() string {
	return fmt.Sprintf("registry_id %s is not the caller's registry %s: ECR reports "+
		"scanning configuration only to the registry's own account, so use credentials "+
		"of account %s (for example with assume_role)", e.Want, e.Caller, e.Want)
}

// Observe reads the registry scanning configuration and, for each selected
// repository, its legacy flag and ECR's effective scanning configuration.
//
// Listing pages are read one after another (ECR's paging is sequential);
// each page's names go to BatchGetRepositoryScanningConfiguration in
// batches of 25 while the next page is read, and, with sel.Images, each
// selected repository's image reads start as soon as it is selected, all
// with at most Concurrency calls in flight.
//
// With sel.RegistryID, the registry configuration is read first and a
// registry that is not the caller's is a *ForeignRegistryError before any
// repository call; without it, that read runs alongside the others.
func (c *Client) Observe(ctx context.Context, sel Selection) (*Observation, error) {
	var reg *compliance.Registry
	if sel.RegistryID != "" {
		var err error
		if reg, err = c.RegistryScanning(ctx); err != nil {
			return nil, err
		}
		if reg.ID != sel.RegistryID {
			return nil, &ForeignRegistryError{Want: sel.RegistryID, Caller: reg.ID}
		}
	}

	g, gctx := errgroup.WithContext(ctx)
	// Every task makes one call at a time, the lister included, so the
	// group's limit is the bound on calls in flight. The lister holds a slot
	// while it waits to schedule, so at least two are needed.
	g.SetLimit(max(c.concurrency, 2))
	if reg == nil {
		g.Go(func() error {
			var err error
			reg, err = c.RegistryScanning(gctx)
			return err
		})
	}

	col := &collector{live: map[string]compliance.Live{}, gone: map[string]bool{},
		missing: map[string]bool{}, images: map[string]*compliance.ImageObservation{},
		imageGone: map[string]bool{}}
	col.calls.GetRegistryScanning = 1
	if sel.Names != nil {
		g.Go(func() error { return c.observeNames(gctx, g, sel, col) })
	} else {
		g.Go(func() error { return c.observeListing(gctx, g, sel, col) })
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return col.result(*reg, sel.Names != nil), nil
}

func (c *Client) observeListing(ctx context.Context, g *errgroup.Group, sel Selection,
	col *collector) error {
	return c.ListRepositories(ctx, sel.RegistryID, func(page []Repository) error {
		col.addCall(func(calls *Calls) { calls.DescribeRepositories++ })
		var names []string
		for _, r := range page {
			if sel.Selects(r.Name) {
				col.addRepository(r)
				names = append(names, r.Name)
			}
		}
		c.batchGet(ctx, g, names, col)
		c.readImages(ctx, g, sel, names, col)
		return nil
	})
}

func (c *Client) observeNames(ctx context.Context, g *errgroup.Group, sel Selection,
	col *collector) error {
	names := slices.Clone(sel.Names)
	slices.Sort(names)
	names = slices.Compact(names)
	c.batchGet(ctx, g, names, col)

	found, missing, err := c.DescribeRepositories(ctx, sel.RegistryID, names)
	col.addCall(func(calls *Calls) {
		calls.DescribeRepositories += len(chunks(names, describeNamesMax))
	})
	if err != nil {
		return err
	}
	foundNames := make([]string, 0, len(found))
	for _, r := range found {
		col.addRepository(r)
		foundNames = append(foundNames, r.Name)
	}
	col.addMissing(missing)
	c.readImages(ctx, g, sel, foundNames, col)
	return nil
}

// batchGet schedules the BatchGet calls for names on the group.
func (c *Client) batchGet(ctx context.Context, g *errgroup.Group, names []string,
	col *collector) {
	for _, chunk := range chunks(names, batchGetMax) {
		g.Go(func() error {
			live, missing, err := c.ScanningConfigurations(ctx, chunk)
			if err != nil {
				return err
			}
			col.addLive(live, missing)
			return nil
		})
	}
}

// readImages schedules each repository's image reads on the group; one
// repository's calls run in sequence, so the group's limit bounds them.
func (c *Client) readImages(ctx context.Context, g *errgroup.Group, sel Selection,
	names []string, col *collector) {
	if sel.Images == nil {
		return
	}
	for _, name := range names {
		g.Go(func() error {
			img, calls, err := c.LatestImage(ctx, sel.RegistryID, name, *sel.Images)
			if errors.Is(err, ErrRepositoryNotFound) {
				// Deleted since it was listed: reported as such, not an error.
				col.addImage(name, nil, calls, true)
				return nil
			}
			if err != nil {
				return err
			}
			col.addImage(name, img, calls, false)
			return nil
		})
	}
}

// collector gathers the concurrent answers.
type collector struct {
	mu    sync.Mutex
	repos []Repository
	live  map[string]compliance.Live
	// gone are repositories BatchGet no longer found.
	gone map[string]bool
	// missing are named repositories DescribeRepositories did not find.
	missing map[string]bool
	images  map[string]*compliance.ImageObservation
	// imageGone are repositories deleted while their images were read.
	imageGone map[string]bool
	calls     Calls
}

func (c *collector) addCall(fn func(*Calls)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	fn(&c.calls)
}

func (c *collector) addRepository(r Repository) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.repos = append(c.repos, r)
}

func (c *collector) addMissing(names []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, name := range names {
		c.missing[name] = true
	}
}

func (c *collector) addLive(live map[string]compliance.Live, missing []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls.BatchGetScanning++
	for name, l := range live {
		c.live[name] = l
	}
	for _, name := range missing {
		c.gone[name] = true
	}
}

func (c *collector) addImage(name string, img *compliance.ImageObservation, calls ImageCalls,
	gone bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls.add(calls)
	if gone {
		c.imageGone[name] = true
		return
	}
	c.images[name] = img
}

func (c *collector) result(reg compliance.Registry, byName bool) *Observation {
	obs := &Observation{Registry: reg, Calls: c.calls}
	for _, r := range c.repos {
		live, ok := c.live[r.Name]
		if (!ok && c.gone[r.Name]) || c.imageGone[r.Name] {
			// Deleted between the listing and the scanning read.
			if byName {
				c.missing[r.Name] = true
			} else {
				obs.Vanished = append(obs.Vanished, r.Name)
			}
			continue
		}
		o := compliance.Observation{Name: r.Name, ARN: r.ARN, URI: r.URI, Found: true,
			ScanOnPush: r.ScanOnPush}
		if ok {
			o.Live = &live
		}
		o.Image = c.images[r.Name]
		obs.Repositories = append(obs.Repositories, o)
	}
	for name := range c.missing {
		obs.Repositories = append(obs.Repositories, compliance.Observation{Name: name})
	}
	slices.Sort(obs.Vanished)
	return obs
}
