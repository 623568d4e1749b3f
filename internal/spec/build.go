package spec

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// refPrefix is the prefix of every $ref the Conversations spec uses.
const refPrefix = "#/components/schemas/"

// formContentType is the request body media type Twilio uses for POST bodies.
const formContentType = "application/x-www-form-urlencoded"

// httpMethods lists the path-item keys that are operations, in OpenAPI 3 order.
var httpMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// The oa* types mirror the parts of an OpenAPI 3 document that the digest uses.
// Everything else (descriptions, examples, x-twilio blocks) is ignored on decode.

type oaDoc struct {
	Info struct {
		Title   string `json:"title"`
		Version string `json:"version"`
	} `json:"info"`
	Paths      map[string]map[string]json.RawMessage `json:"paths"`
	Components struct {
		Schemas map[string]*oaSchema `json:"schemas"`
	} `json:"components"`
}

type oaOperation struct {
	OperationID string    `json:"operationId"`
	Parameters  []oaParam `json:"parameters"`
	RequestBody *struct {
		Content map[string]oaMedia `json:"content"`
	} `json:"requestBody"`
	Responses map[string]struct {
		Content map[string]oaMedia `json:"content"`
	} `json:"responses"`
}

type oaMedia struct {
	Schema   *oaSchema `json:"schema"`
	Examples map[string]struct {
		Value json.RawMessage `json:"value"`
	} `json:"examples"`
}

type oaParam struct {
	Name     string    `json:"name"`
	In       string    `json:"in"`
	Required bool      `json:"required"`
	Schema   *oaSchema `json:"schema"`
}

type oaSchema struct {
	Ref        string               `json:"$ref"`
	Title      string               `json:"title"`
	Type       string               `json:"type"`
	Format     string               `json:"format"`
	Enum       []string             `json:"enum"`
	Pattern    string               `json:"pattern"`
	Minimum    *float64             `json:"minimum"`
	Maximum    *float64             `json:"maximum"`
	MinLength  *int                 `json:"minLength"`
	MaxLength  *int                 `json:"maxLength"`
	Nullable   bool                 `json:"nullable"`
	Items      *oaSchema            `json:"items"`
	Properties map[string]*oaSchema `json:"properties"`
	Required   []string             `json:"required"`
}

// builder holds the decoded document while the digest is built.
type builder struct {
	doc oaDoc
}

// Build transforms Twilio's OpenAPI description (the JSON text of
// twilio_conversations_v1.json) into a Digest. The result depends only on
// the input bytes, so Build followed by Marshal is deterministic.
func Build(openapiJSON []byte) (*Digest, error) {
	b := &builder{}
	if err := json.Unmarshal(openapiJSON, &b.doc); err != nil {
		return nil, fmt.Errorf("spec: decoding OpenAPI document: %w", err)
	}
	if len(b.doc.Paths) == 0 {
		return nil, fmt.Errorf("spec: OpenAPI document has no paths")
	}
	d := &Digest{
		Title:      b.doc.Info.Title,
		Version:    b.doc.Info.Version,
		Operations: map[string]*Operation{},
		Schemas:    map[string]*Schema{},
		Enums:      map[string][]string{},
	}
	for name, s := range b.doc.Components.Schemas {
		if s == nil {
			continue
		}
		if len(s.Enum) > 0 {
			d.Enums[name] = slices.Clone(s.Enum)
			continue
		}
		sc := &Schema{Name: name, Properties: map[string]*Property{}}
		for pname, ps := range s.Properties {
			p, err := b.property(pname, ps)
			if err != nil {
				return nil, fmt.Errorf("spec: schema %s: %w", name, err)
			}
			sc.Properties[pname] = p
		}
		d.Schemas[name] = sc
	}
	for _, path := range slices.Sorted(maps.Keys(b.doc.Paths)) {
		item := b.doc.Paths[path]
		var shared []oaParam
		if raw, ok := item["parameters"]; ok {
			if err := json.Unmarshal(raw, &shared); err != nil {
				return nil, fmt.Errorf("spec: %s parameters: %w", path, err)
			}
		}
		for _, m := range httpMethods {
			raw, ok := item[m]
			if !ok {
				continue
			}
			var oo oaOperation
			if err := json.Unmarshal(raw, &oo); err != nil {
				return nil, fmt.Errorf("spec: %s %s: %w", strings.ToUpper(m), path, err)
			}
			op, err := b.operation(strings.ToUpper(m), path, shared, &oo)
			if err != nil {
				return nil, fmt.Errorf("spec: %s %s: %w", strings.ToUpper(m), path, err)
			}
			if prev, dup := d.Operations[op.ID]; dup {
				return nil, fmt.Errorf("spec: operationId %s used by %s %s and %s %s",
					op.ID, prev.Method, prev.Path, op.Method, op.Path)
			}
			d.Operations[op.ID] = op
		}
	}
	return d, nil
}

func (b *builder) resolve(ref string) (string, *oaSchema, error) {
	name, ok := strings.CutPrefix(ref, refPrefix)
	if !ok {
		return "", nil, fmt.Errorf("unsupported $ref %q", ref)
	}
	s, ok := b.doc.Components.Schemas[name]
	if !ok || s == nil {
		return "", nil, fmt.Errorf("dangling $ref %q", ref)
	}
	return name, s, nil
}

// items converts an array's item schema.
func (b *builder) items(s *oaSchema) (*Items, error) {
	if s == nil {
		return &Items{}, nil
	}
	it := &Items{Type: s.Type, Format: s.Format, Enum: slices.Clone(s.Enum)}
	if s.Ref != "" {
		name, rs, err := b.resolve(s.Ref)
		if err != nil {
			return nil, err
		}
		it.Ref = name
		if it.Type == "" {
			it.Type = rs.Type
		}
		if len(rs.Enum) > 0 {
			it.Enum = slices.Clone(rs.Enum)
		}
	}
	return it, nil
}

func (b *builder) property(name string, s *oaSchema) (*Property, error) {
	if s == nil {
		return &Property{Name: name}, nil
	}
	p := &Property{
		Name:     name,
		Type:     s.Type,
		Format:   s.Format,
		Nullable: s.Nullable,
		Enum:     slices.Clone(s.Enum),
	}
	if s.Ref != "" {
		rname, rs, err := b.resolve(s.Ref)
		if err != nil {
			return nil, fmt.Errorf("property %s: %w", name, err)
		}
		p.Ref = rname
		if p.Type == "" && len(rs.Enum) > 0 {
			p.Type = rs.Type
		}
		if len(rs.Enum) > 0 {
			p.Enum = slices.Clone(rs.Enum)
		}
	}
	if s.Type == "array" {
		it, err := b.items(s.Items)
		if err != nil {
			return nil, fmt.Errorf("property %s items: %w", name, err)
		}
		p.Items = it
	}
	return p, nil
}

func (b *builder) param(name string, required bool, s *oaSchema) (Param, error) {
	p := Param{Name: name, Required: required}
	if s == nil {
		return p, nil
	}
	p.Type = s.Type
	p.Format = s.Format
	p.Enum = slices.Clone(s.Enum)
	p.Pattern = s.Pattern
	p.Minimum = s.Minimum
	p.Maximum = s.Maximum
	p.MinLength = s.MinLength
	p.MaxLength = s.MaxLength
	p.Nullable = s.Nullable
	if s.Ref != "" {
		rname, rs, err := b.resolve(s.Ref)
		if err != nil {
			return p, fmt.Errorf("parameter %s: %w", name, err)
		}
		p.Ref = rname
		if p.Type == "" {
			p.Type = rs.Type
		}
		if len(rs.Enum) > 0 {
			p.Enum = slices.Clone(rs.Enum)
		}
	}
	if p.Type == "array" {
		p.Array = true
		it, err := b.items(s.Items)
		if err != nil {
			return p, fmt.Errorf("parameter %s items: %w", name, err)
		}
		p.Items = it
	}
	return p, nil
}

func (b *builder) operation(method, path string, shared []oaParam, oo *oaOperation) (*Operation, error) {
	if oo.OperationID == "" {
		return nil, fmt.Errorf("missing operationId")
	}
	op := &Operation{ID: oo.OperationID, Method: method, Path: path}

	// Operation-level parameters override path-level ones with the same (in, name).
	params := map[string]oaParam{}
	for _, p := range slices.Concat(shared, oo.Parameters) {
		params[p.In+"\x00"+p.Name] = p
	}
	for _, key := range slices.Sorted(maps.Keys(params)) {
		op0 := params[key]
		p, err := b.param(op0.Name, op0.Required || op0.In == "path", op0.Schema)
		if err != nil {
			return nil, err
		}
		switch op0.In {
		case "path":
			op.PathParams = append(op.PathParams, p)
		case "query":
			op.QueryParams = append(op.QueryParams, p)
			if p.Name == "PageSize" && p.Maximum != nil {
				op.PageSizeMax = int(*p.Maximum)
			}
		case "header":
			op.HeaderParams = append(op.HeaderParams, p)
		default:
			return nil, fmt.Errorf("parameter %s: unsupported location %q", op0.Name, op0.In)
		}
	}
	// Path parameters follow their order in the path template.
	order := pathParamNames(path)
	sort.SliceStable(op.PathParams, func(i, j int) bool {
		return slices.Index(order, op.PathParams[i].Name) < slices.Index(order, op.PathParams[j].Name)
	})
	for _, name := range order {
		if !slices.ContainsFunc(op.PathParams, func(p Param) bool { return p.Name == name }) {
			return nil, fmt.Errorf("path parameter {%s} is not declared", name)
		}
	}

	if oo.RequestBody != nil {
		for ct, media := range oo.RequestBody.Content {
			if ct != formContentType {
				return nil, fmt.Errorf("unsupported request content type %q", ct)
			}
			if media.Schema == nil {
				continue
			}
			fs := media.Schema
			if fs.Ref != "" {
				_, rs, err := b.resolve(fs.Ref)
				if err != nil {
					return nil, fmt.Errorf("request body: %w", err)
				}
				fs = rs
			}
			for _, name := range slices.Sorted(maps.Keys(fs.Properties)) {
				p, err := b.param(name, slices.Contains(fs.Required, name), fs.Properties[name])
				if err != nil {
					return nil, err
				}
				op.FormParams = append(op.FormParams, p)
			}
			for _, r := range fs.Required {
				if _, ok := fs.Properties[r]; !ok {
					return nil, fmt.Errorf("required form parameter %s is not declared", r)
				}
			}
		}
	}

	for code := range oo.Responses {
		n, err := strconv.Atoi(code)
		if err != nil {
			return nil, fmt.Errorf("unsupported response code %q", code)
		}
		op.Statuses = append(op.Statuses, n)
	}
	slices.Sort(op.Statuses)
	for _, n := range op.Statuses {
		if n >= 200 && n < 300 {
			op.SuccessStatus = n
			break
		}
	}
	if op.SuccessStatus == 0 {
		return nil, fmt.Errorf("no 2xx response")
	}
	var schemaKey string
	for _, n := range op.Statuses {
		if n < 200 || n >= 300 {
			continue
		}
		resp := oo.Responses[strconv.Itoa(n)]
		var key string
		if media, ok := resp.Content["application/json"]; ok && media.Schema != nil {
			key = schemaKeyOf(media.Schema)
		}
		if n == op.SuccessStatus {
			schemaKey = key
		} else if key != schemaKey {
			return nil, fmt.Errorf("responses %d and %d have different schemas", op.SuccessStatus, n)
		}
	}
	if media, ok := oo.Responses[strconv.Itoa(op.SuccessStatus)].Content["application/json"]; ok && media.Schema != nil {
		rs := media.Schema
		if rs.Ref != "" {
			name, s, err := b.resolve(rs.Ref)
			if err != nil {
				return nil, fmt.Errorf("response: %w", err)
			}
			op.ResponseSchema = name
			rs = s
		} else {
			op.ResponseSchema = rs.Title
		}
		if _, hasMeta := rs.Properties["meta"]; hasMeta {
			var arrays []string
			for name, ps := range rs.Properties {
				if ps != nil && ps.Type == "array" {
					arrays = append(arrays, name)
				}
			}
			if len(arrays) == 1 {
				op.ListKey = arrays[0]
				if it := rs.Properties[arrays[0]].Items; it != nil && it.Ref != "" {
					name, _, err := b.resolve(it.Ref)
					if err != nil {
						return nil, fmt.Errorf("list items: %w", err)
					}
					op.ItemSchema = name
				}
			}
		}
	}
	return op, nil
}

// schemaKeyOf identifies a response schema for comparisons between status codes.
func schemaKeyOf(s *oaSchema) string {
	if s.Ref != "" {
		return s.Ref
	}
	j, _ := json.Marshal(s)
	return string(j)
}

// pathParamNames returns the {Name} placeholders of a path template, in order.
func pathParamNames(path string) []string {
	var names []string
	for {
		i := strings.IndexByte(path, '{')
		if i < 0 {
			return names
		}
		j := strings.IndexByte(path[i:], '}')
		if j < 0 {
			return names
		}
		names = append(names, path[i+1:i+j])
		path = path[i+j+1:]
	}
}

// marshalIndent encodes v as 2-space indented JSON without HTML escaping,
// with a trailing newline. Map keys come out sorted.
func marshalIndent(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Marshal encodes the digest in its committed form: 2-space indented JSON,
// map keys sorted, parameters sorted by name (path parameters in template
// order), no HTML escaping, trailing newline.
func (d *Digest) Marshal() ([]byte, error) {
	return marshalIndent(d)
}

// ExampleSet holds response examples: operationId → example name → JSON value.
type ExampleSet map[string]map[string]json.RawMessage

// BuildExamples extracts every operation's response examples
// (responses.<code>.content["application/json"].examples.<name>.value)
// from Twilio's OpenAPI description. Operations without examples are omitted.
// It fails if one operation uses the same example name for two status codes.
func BuildExamples(openapiJSON []byte) (ExampleSet, error) {
	var doc oaDoc
	if err := json.Unmarshal(openapiJSON, &doc); err != nil {
		return nil, fmt.Errorf("spec: decoding OpenAPI document: %w", err)
	}
	set := ExampleSet{}
	for _, path := range slices.Sorted(maps.Keys(doc.Paths)) {
		for _, m := range httpMethods {
			raw, ok := doc.Paths[path][m]
			if !ok {
				continue
			}
			var oo oaOperation
			if err := json.Unmarshal(raw, &oo); err != nil {
				return nil, fmt.Errorf("spec: %s %s: %w", strings.ToUpper(m), path, err)
			}
			for _, code := range slices.Sorted(maps.Keys(oo.Responses)) {
				media, ok := oo.Responses[code].Content["application/json"]
				if !ok {
					continue
				}
				for name, ex := range media.Examples {
					if len(ex.Value) == 0 {
						continue
					}
					if set[oo.OperationID] == nil {
						set[oo.OperationID] = map[string]json.RawMessage{}
					}
					if _, dup := set[oo.OperationID][name]; dup {
						return nil, fmt.Errorf("spec: %s: example %q appears under two response codes", oo.OperationID, name)
					}
					var buf bytes.Buffer
					if err := json.Compact(&buf, ex.Value); err != nil {
						return nil, fmt.Errorf("spec: %s example %q: %w", oo.OperationID, name, err)
					}
					set[oo.OperationID][name] = buf.Bytes()
				}
			}
		}
	}
	return set, nil
}

// Marshal encodes the example set in its committed form (see Digest.Marshal).
func (s ExampleSet) Marshal() ([]byte, error) {
	return marshalIndent(map[string]map[string]json.RawMessage(s))
}
