package register

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
)

// Service is a specialised service of the catalogue, with its subtypes.
type Service struct {
	Code     string            `json:"code"`
	Name     map[string]string `json:"name"` // by language: kk, ru, en
	Subtypes []Service         `json:"subtypes,omitempty"`
}

//go:embed services.json
var defaultServices []byte

// DefaultServices returns the catalogue that ships with esep. Its list is
// unconfirmed (reference-kz.md §8), so it is data an administrator can
// replace with LoadServices, not code.
func DefaultServices() []Service {
	s, err := LoadServices(bytes.NewReader(defaultServices))
	if err != nil {
		panic(err) // embedded at build time: a broken file is a build defect
	}
	return s
}

// LoadServices reads a catalogue in the JSON shape of services.json.
func LoadServices(r io.Reader) ([]Service, error) {
	var doc struct {
		Services []Service `json:"services"`
	}
	if err := json.NewDecoder(r).Decode(&doc); err != nil {
		return nil, fmt.Errorf("service catalogue: %w", err)
	}
	seen := map[string]bool{}
	for _, s := range doc.Services {
		for _, c := range append([]Service{s}, s.Subtypes...) {
			if c.Code == "" || seen[c.Code] {
				return nil, fmt.Errorf("service catalogue: code %q is empty or repeated", c.Code)
			}
			seen[c.Code] = true
		}
	}
	return doc.Services, nil
}

// ServiceSet returns a lookup of the service codes in a catalogue, for
// Validator.Services.
func ServiceSet(services []Service) func(string) bool {
	set := map[string]bool{}
	for _, s := range services {
		set[s.Code] = true
	}
	return func(code string) bool { return set[code] }
}
