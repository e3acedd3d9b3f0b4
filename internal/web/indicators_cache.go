package web

import (
	"bytes"
	"context"
	"encoding/json"
	"sync"
	"time"
)

// indicatorsCache keeps the JSON answer of /api/v1/indicators for each
// period asked for, so that the dashboards of a whole country polling the
// same figures cost one computation and one encoding between two writes,
// not one each: even from the warm index a year's tables take milliseconds
// to count and as long again to encode, which caps a server at a few
// hundred answers a second, where the API must give thousands.
//
// An answer is as fresh as one computed for the request:
//   - a write made through this server (the API, a page, an import)
//     moves store.DB.LocalChanges, and the next request computes again;
//   - a write made by another process (the esep command, another server
//     on the same PostgreSQL) reaches the index within its OthersEvery;
//     an answer is kept at most indicatorsMaxAge beyond that.
//
// Requests that arrive while an answer is being computed wait for it
// rather than compute it again.
type indicatorsCache struct {
	mu      sync.Mutex
	entries map[string]*indicatorsEntry // by "from/to"
}

type indicatorsEntry struct {
	local   uint64    // store.DB.LocalChanges before the computation
	started time.Time // when the computation began
	done    chan struct{}
	body    []byte // set, with err, before done is closed
	err     error
}

const (
	indicatorsMaxAge  = 500 * time.Millisecond
	indicatorsPeriods = 64 // periods kept; the oldest answer goes first
)

// indicatorsJSON returns the indicator tables of [from, to] encoded as
// writeJSON would.
func (s *Server) indicatorsJSON(ctx context.Context, from, to string) ([]byte, error) {
	c := &s.indicatorsCache
	key := from + "/" + to
	local, now := s.db.LocalChanges(), time.Now()
	c.mu.Lock()
	e := c.entries[key]
	fresh := e != nil && e.local == local && now.Sub(e.started) < indicatorsMaxAge
	if !fresh {
		e = &indicatorsEntry{local: local, started: now, done: make(chan struct{})}
		c.put(key, e)
	}
	c.mu.Unlock()
	if !fresh {
		// Computed for every request waiting on it: a request that goes
		// away does not cancel the others' answer.
		e.body, e.err = s.encodeIndicators(context.WithoutCancel(ctx), from, to)
		close(e.done)
		if e.err != nil {
			c.mu.Lock()
			if c.entries[key] == e {
				delete(c.entries, key)
			}
			c.mu.Unlock()
		}
	}
	select {
	case <-e.done:
		return e.body, e.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// put stores e under key, making room first. c.mu is held.
func (c *indicatorsCache) put(key string, e *indicatorsEntry) {
	if c.entries == nil {
		c.entries = map[string]*indicatorsEntry{}
	}
	if _, ok := c.entries[key]; !ok && len(c.entries) >= indicatorsPeriods {
		var oldest string
		for k, x := range c.entries {
			if oldest == "" || x.started.Before(c.entries[oldest].started) {
				oldest = k
			}
		}
		delete(c.entries, oldest)
	}
	c.entries[key] = e
}

func (s *Server) encodeIndicators(ctx context.Context, from, to string) ([]byte, error) {
	tables, _, err := s.indicators.Compute(ctx, from, to)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	if err := enc.Encode(tables); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
