package ecremu

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// adminPrefix roots the emulator's own endpoints (not part of ECR).
const adminPrefix = "/_emulator/"

type adminError struct {
	Error string `json:"error"`
}

func writeAdmin(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func adminFail(w http.ResponseWriter, status int, msg string) {
	writeAdmin(w, status, adminError{Error: msg})
}

type stateRepo struct {
	Name               string    `json:"name"`
	ARN                string    `json:"arn"`
	CreatedAt          time.Time `json:"createdAt"`
	ScanOnPush         bool      `json:"scanOnPush"`
	ImageTagMutability string    `json:"imageTagMutability"`
	ImageCount         int       `json:"imageCount"`
	ScanFrequency      string    `json:"scanFrequency"`
}

type stateDoc struct {
	Region                    string                `json:"region"`
	Account                   string                `json:"account"`
	LegacyFlagScansUnderBasic bool                  `json:"legacyFlagScansUnderBasic"`
	ScanningConfiguration     ScanningConfiguration `json:"scanningConfiguration"`
	RepositoryCount           int                   `json:"repositoryCount"`
	Repositories              []stateRepo           `json:"repositories"`
}

// serveAdmin answers:
//
//	GET  /_emulator/health           {"ok":true,"account":...,"url":...}
//	GET  /_emulator/calls            {"calls":{op:n},"total":n}
//	POST /_emulator/reset[?faults=1&state=1]  zero call counts (and clear faults, state)
//	GET  /_emulator/faults           current FaultConfig
//	POST /_emulator/faults           apply a FaultConfig body
//	GET  /_emulator/state?region=R[&repos=0]  Region state (repositories unless repos=0)
//	POST /_emulator/seed             apply a seed document body
//	POST /_emulator/synthetic?region=R&count=N[&prefix=P&images=K]  SeedSynthetic
func (s *Server) serveAdmin(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, adminPrefix)
	q := r.URL.Query()
	switch {
	case path == "health" && r.Method == http.MethodGet:
		writeAdmin(w, http.StatusOK, map[string]any{"ok": true, "account": s.Account(), "url": s.URL()})
	case path == "calls" && r.Method == http.MethodGet:
		calls := s.Calls()
		total := 0
		for _, n := range calls {
			total += n
		}
		writeAdmin(w, http.StatusOK, map[string]any{"calls": calls, "total": total})
	case path == "reset" && r.Method == http.MethodPost:
		s.ResetCalls()
		if truthy(q.Get("faults")) {
			s.ClearFaults()
		}
		if truthy(q.Get("state")) {
			s.ResetState()
		}
		writeAdmin(w, http.StatusOK, map[string]any{"ok": true})
	case path == "faults" && r.Method == http.MethodGet:
		writeAdmin(w, http.StatusOK, s.Faults())
	case path == "faults" && r.Method == http.MethodPost:
		var cfg FaultConfig
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&cfg); err != nil {
			adminFail(w, http.StatusBadRequest, "faults: "+err.Error())
			return
		}
		if err := s.ApplyFaults(cfg); err != nil {
			adminFail(w, http.StatusBadRequest, err.Error())
			return
		}
		writeAdmin(w, http.StatusOK, s.Faults())
	case path == "state" && r.Method == http.MethodGet:
		writeAdmin(w, http.StatusOK, s.stateDoc(normRegion(q.Get("region")), q.Get("repos") != "0"))
	case path == "seed" && r.Method == http.MethodPost:
		if err := s.LoadSeed(http.MaxBytesReader(w, r.Body, 256<<20)); err != nil {
			adminFail(w, http.StatusBadRequest, err.Error())
			return
		}
		writeAdmin(w, http.StatusOK, map[string]any{"ok": true})
	case path == "synthetic" && r.Method == http.MethodPost:
		n, err := strconv.Atoi(q.Get("count"))
		images, _ := strconv.Atoi(q.Get("images"))
		if err != nil || n <= 0 {
			adminFail(w, http.StatusBadRequest, "synthetic: count must be a positive integer")
			return
		}
		names, err := s.SeedSynthetic(normRegion(q.Get("region")), n,
			SyntheticConfig{Prefix: q.Get("prefix"), ImagesPerRepository: images})
		if err != nil {
			adminFail(w, http.StatusBadRequest, err.Error())
			return
		}
		writeAdmin(w, http.StatusOK, map[string]any{"created": len(names)})
	default:
		adminFail(w, http.StatusNotFound, "unknown admin endpoint "+r.Method+" "+r.URL.Path)
	}
}

func truthy(v string) bool {
	b, err := strconv.ParseBool(v)
	return err == nil && b
}

func (s *Server) stateDoc(region string, withRepos bool) stateDoc {
	s.mu.RLock()
	defer s.mu.RUnlock()
	rs := s.readRegion(region)
	doc := stateDoc{Region: region, Account: s.account, LegacyFlagScansUnderBasic: s.legacyBasic,
		ScanningConfiguration: rs.scanning.clone(), RepositoryCount: len(rs.names), Repositories: []stateRepo{}}
	if !withRepos {
		return doc
	}
	for _, name := range rs.names {
		rp := rs.repos[name]
		freq, _ := effectiveScanning(rs.scanning, name, rp.scanOnPush, s.legacyBasic)
		doc.Repositories = append(doc.Repositories, stateRepo{Name: name,
			ARN: repoARN(region, s.account, name), CreatedAt: rp.createdAt, ScanOnPush: rp.scanOnPush,
			ImageTagMutability: rp.tagMutability, ImageCount: len(rp.images), ScanFrequency: freq})
	}
	return doc
}
