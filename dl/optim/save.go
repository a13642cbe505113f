package optim

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/godl-dev/godl/dl"
	"github.com/godl-dev/godl/dl/internal/safetensors"
)

// Save writes everything needed to resume training exactly, apart from the
// model's weights (nn.Save): the optimizer's state and hyper-parameters and
// the state of the given schedulers, which must be this package's (any of
// them, ReduceLROnPlateau too), in the order Load will be given them.
//
// The file is a safetensors file. Each parameter's buffers are tensors
// named "state.<i>.<buffer>" with PyTorch's buffer names (exp_avg,
// exp_avg_sq, max_exp_avg_sq, momentum_buffer, square_avg, grad_avg), i
// counting the parameters group by group as PyTorch's state_dict does; the
// step counts, the parameter groups' hyper-parameters and the schedulers'
// state are JSON in the file's metadata, under "optimizer" and
// "schedulers", with PyTorch's key names. The file is written beside path
// and renamed over it, so an earlier checkpoint survives a failed write.
func Save(path string, opt Optimizer, scheds ...any) error {
	b, err := baseOf("optim.Save", opt)
	if err != nil {
		return err
	}
	st, tensors := b.stateDict()
	meta := map[string]string{"format": "pt"}
	j, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("optim.Save: %w", err)
	}
	meta["optimizer"] = string(j)
	var ss []map[string]json.RawMessage
	for i, s := range scheds {
		f, err := schedFieldsOf("optim.Save", i, s)
		if err != nil {
			return err
		}
		m := map[string]json.RawMessage{}
		for _, fl := range f.fields {
			v, err := marshalField(fl.ptr)
			if err != nil {
				return fmt.Errorf("optim.Save: scheduler %d (%s) %s: %w", i, f.name, fl.name, err)
			}
			m[fl.name] = v
		}
		m["type"], _ = json.Marshal(f.name)
		ss = append(ss, m)
	}
	j, err = json.Marshal(ss)
	if err != nil {
		return fmt.Errorf("optim.Save: %w", err)
	}
	meta["schedulers"] = string(j)
	data, err := safetensors.Encode(tensors, meta)
	if err != nil {
		return fmt.Errorf("optim.Save: %w", err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return fmt.Errorf("optim.Save: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("optim.Save: %w", err)
	}
	return nil
}

// Load restores what Save wrote into opt and scheds, which must be of the
// same kinds as those saved, over the same number of parameter groups and
// parameters of the same shapes; given no schedulers, it loads the
// optimizer alone. As PyTorch's load_state_dict, it replaces
// the groups' hyper-parameters (the learning rates included) and every
// parameter's state, and the schedulers' hyper-parameters and counters.
// Nothing is changed unless all of it loads.
func Load(path string, opt Optimizer, scheds ...any) error {
	b, err := baseOf("optim.Load", opt)
	if err != nil {
		return err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("optim.Load: %w", err)
	}
	tensors, meta, err := safetensors.Decode(data)
	if err != nil {
		return fmt.Errorf("optim.Load %s: %w", path, err)
	}
	fail := func(format string, args ...any) error {
		return fmt.Errorf("optim.Load %s: "+format, append([]any{path}, args...)...)
	}
	if meta["optimizer"] == "" {
		return fail("no optimizer state in the file (was it written by optim.Save?)")
	}
	var st optimState
	if err := json.Unmarshal([]byte(meta["optimizer"]), &st); err != nil {
		return fail("optimizer state: %v", err)
	}
	commit, err := b.loadStateDict(st, tensors)
	if err != nil {
		return fail("%v", err)
	}
	var saved []map[string]json.RawMessage
	if meta["schedulers"] != "" {
		if err := json.Unmarshal([]byte(meta["schedulers"]), &saved); err != nil {
			return fail("scheduler state: %v", err)
		}
	}
	// No schedulers loads the optimizer alone; otherwise they must be the
	// ones saved, in order.
	if len(scheds) > 0 && len(saved) != len(scheds) {
		return fail("the file holds %d schedulers, %d were given", len(saved), len(scheds))
	}
	var assigns []func()
	for i, s := range scheds {
		f, err := schedFieldsOf("optim.Load", i, s)
		if err != nil {
			return err
		}
		var typ string
		json.Unmarshal(saved[i]["type"], &typ)
		if typ != f.name {
			return fail("scheduler %d is a %s, the file holds a %s", i, f.name, typ)
		}
		for _, fl := range f.fields {
			raw, ok := saved[i][fl.name]
			if !ok {
				return fail("scheduler %d (%s) has no %s in the file", i, f.name, fl.name)
			}
			assign, err := unmarshalField(raw, fl.ptr)
			if err != nil {
				return fail("scheduler %d (%s) %s: %v", i, f.name, fl.name, err)
			}
			assigns = append(assigns, assign)
		}
	}
	commit()
	for _, a := range assigns {
		a()
	}
	return nil
}

// optimState is the optimizer's part of the metadata: PyTorch's
// state_dict without the tensors.
type optimState struct {
	Type        string         `json:"type"`
	ParamGroups []groupState   `json:"param_groups"`
	Steps       map[string]int `json:"steps"` // parameter index → step count
}

type groupState struct {
	LR          jfloat    `json:"lr"`
	InitialLR   *jfloat   `json:"initial_lr,omitempty"`
	WeightDecay jfloat    `json:"weight_decay"`
	Eps         jfloat    `json:"eps"`
	Momentum    jfloat    `json:"momentum"`
	Dampening   jfloat    `json:"dampening"`
	Nesterov    bool      `json:"nesterov"`
	Betas       [2]jfloat `json:"betas"`
	AMSGrad     bool      `json:"amsgrad"`
	Alpha       jfloat    `json:"alpha"`
	Centered    bool      `json:"centered"`
	Params      []int     `json:"params"`
}

// bufferNames are the state buffers each optimizer keeps.
var bufferNames = map[string][]string{
	"SGD":     {"momentum_buffer"},
	"Adam":    {"exp_avg", "exp_avg_sq", "max_exp_avg_sq"},
	"AdamW":   {"exp_avg", "exp_avg_sq", "max_exp_avg_sq"},
	"RMSprop": {"square_avg", "grad_avg", "momentum_buffer"},
}

func (b *base) optimBase() *base { return b }

func baseOf(op string, opt Optimizer) (*base, error) {
	o, ok := opt.(interface{ optimBase() *base })
	if !ok || opt == nil {
		return nil, fmt.Errorf("%s: %T is not one of this package's optimizers", op, opt)
	}
	return o.optimBase(), nil
}

func (b *base) stateDict() (optimState, map[string]safetensors.Tensor) {
	st := optimState{Type: b.name, Steps: map[string]int{}}
	tensors := map[string]safetensors.Tensor{}
	i := 0
	for _, g := range b.groups {
		gs := groupState{LR: jfloat(g.LR), WeightDecay: jfloat(g.WeightDecay), Eps: jfloat(g.Eps),
			Momentum: jfloat(g.Momentum), Dampening: jfloat(g.Dampening), Nesterov: g.Nesterov,
			Betas: [2]jfloat{jfloat(g.Beta1), jfloat(g.Beta2)}, AMSGrad: g.AMSGrad,
			Alpha: jfloat(g.Alpha), Centered: g.Centered, Params: []int{}}
		if g.hasInitialLR {
			v := jfloat(g.initialLR)
			gs.InitialLR = &v
		}
		for _, p := range g.Params {
			gs.Params = append(gs.Params, i)
			if ps := b.state[p]; ps != nil {
				st.Steps[strconv.Itoa(i)] = ps.step
				for name, buf := range ps.bufs {
					tensors[fmt.Sprintf("state.%d.%s", i, name)] = safetensors.FromFloat32s(buf, p.Shape())
				}
			}
			i++
		}
		st.ParamGroups = append(st.ParamGroups, gs)
	}
	return st, tensors
}

// loadStateDict checks st and tensors against b and returns the function
// that puts them in place.
func (b *base) loadStateDict(st optimState, tensors map[string]safetensors.Tensor) (commit func(), err error) {
	if st.Type != b.name {
		return nil, fmt.Errorf("the file holds the state of %s, not %s", st.Type, b.name)
	}
	if len(st.ParamGroups) != len(b.groups) {
		return nil, fmt.Errorf("the file holds %d parameter groups, the optimizer has %d", len(st.ParamGroups), len(b.groups))
	}
	var params []int // element count of each parameter, by index
	var shapes [][]int
	for gi, g := range b.groups {
		if n := len(st.ParamGroups[gi].Params); n != len(g.Params) {
			return nil, fmt.Errorf("parameter group %d holds %d parameters in the file, %d in the optimizer", gi, n, len(g.Params))
		}
		for _, p := range g.Params {
			params = append(params, p.Numel())
			shapes = append(shapes, p.Shape())
		}
	}
	state := make([]*paramState, len(params))
	stateOf := func(i int) *paramState {
		if state[i] == nil {
			state[i] = &paramState{bufs: map[string][]float32{}}
		}
		return state[i]
	}
	for k, step := range st.Steps {
		i, err := strconv.Atoi(k)
		if err != nil || i < 0 || i >= len(params) {
			return nil, fmt.Errorf("step count for parameter %q, which the optimizer does not have", k)
		}
		stateOf(i).step = step
	}
	names := make([]string, 0, len(tensors))
	for name := range tensors {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		t := tensors[name]
		parts := strings.SplitN(name, ".", 3)
		if len(parts) != 3 || parts[0] != "state" {
			return nil, fmt.Errorf("unexpected tensor %s", name)
		}
		i, err := strconv.Atoi(parts[1])
		if err != nil || i < 0 || i >= len(params) {
			return nil, fmt.Errorf("tensor %s is for a parameter the optimizer does not have (it has %d)", name, len(params))
		}
		if !slices.Contains(bufferNames[b.name], parts[2]) {
			return nil, fmt.Errorf("tensor %s: %s keeps no buffer %s", name, b.name, parts[2])
		}
		data, err := t.Float32s()
		if err != nil {
			return nil, fmt.Errorf("tensor %s has %v", name, err)
		}
		if !slices.Equal(t.Shape, shapes[i]) || len(data) != params[i] {
			return nil, fmt.Errorf("tensor %s has shape %v, its parameter %v", name, t.Shape, shapes[i])
		}
		stateOf(i).bufs[parts[2]] = data
	}
	return func() {
		b.state = map[*dl.Tensor]*paramState{}
		i := 0
		for gi, g := range b.groups {
			gs := st.ParamGroups[gi]
			g.LR, g.WeightDecay, g.Eps = float64(gs.LR), float64(gs.WeightDecay), float64(gs.Eps)
			g.Momentum, g.Dampening, g.Nesterov = float64(gs.Momentum), float64(gs.Dampening), gs.Nesterov
			g.Beta1, g.Beta2, g.AMSGrad = float64(gs.Betas[0]), float64(gs.Betas[1]), gs.AMSGrad
			g.Alpha, g.Centered = float64(gs.Alpha), gs.Centered
			g.hasInitialLR = gs.InitialLR != nil
			if g.hasInitialLR {
				g.initialLR = float64(*gs.InitialLR)
			}
			for _, p := range g.Params {
				if state[i] != nil {
					b.state[p] = state[i]
				}
				i++
			}
		}
	}, nil
}

// schedFields is a scheduler's name and every field Save keeps of it.
type schedFields struct {
	name   string
	fields []schedField
}

func schedFieldsOf(op string, i int, s any) (schedFields, error) {
	switch s := s.(type) {
	case interface{ schedBase() *sched }:
		b := s.schedBase()
		return schedFields{b.name, append(slices.Clone(b.fields),
			schedField{"last_epoch", &b.epoch}, schedField{"base_lrs", &b.baseLRs}, schedField{"last_lr", &b.lastLRs})}, nil
	case *ReduceLROnPlateau:
		return schedFields{"ReduceLROnPlateau", append(s.fields(), schedField{"best", &s.best},
			schedField{"num_bad_epochs", &s.bad}, schedField{"cooldown_counter", &s.cooldownLeft},
			schedField{"last_epoch", &s.epoch}, schedField{"last_lr", &s.lastLRs})}, nil
	}
	return schedFields{}, fmt.Errorf("%s: scheduler %d is a %T, not one of this package's schedulers", op, i, s)
}

func (s *sched) schedBase() *sched { return s }

func marshalField(ptr any) (json.RawMessage, error) {
	switch p := ptr.(type) {
	case *float64:
		return json.Marshal(jfloat(*p))
	case *[]float64:
		v := make([]jfloat, len(*p))
		for i, x := range *p {
			v[i] = jfloat(x)
		}
		return json.Marshal(v)
	}
	return json.Marshal(ptr)
}

// unmarshalField decodes raw for the field at ptr and returns the function
// that stores it there.
func unmarshalField(raw json.RawMessage, ptr any) (func(), error) {
	switch p := ptr.(type) {
	case *float64:
		var v jfloat
		err := json.Unmarshal(raw, &v)
		return func() { *p = float64(v) }, err
	case *[]float64:
		var v []jfloat
		err := json.Unmarshal(raw, &v)
		return func() {
			*p = make([]float64, len(v))
			for i, x := range v {
				(*p)[i] = float64(x)
			}
		}, err
	case *int:
		var v int
		err := json.Unmarshal(raw, &v)
		return func() { *p = v }, err
	case *string:
		var v string
		err := json.Unmarshal(raw, &v)
		return func() { *p = v }, err
	case *[]int:
		var v []int
		err := json.Unmarshal(raw, &v)
		return func() { *p = v }, err
	}
	return nil, fmt.Errorf("field of type %T", ptr)
}

// jfloat is a float64 that JSON carries exactly, infinities and NaN
// included (as the strings "inf", "-inf" and "nan", which JSON numbers
// cannot be): ReduceLROnPlateau's best starts infinite.
type jfloat float64

func (f jfloat) MarshalJSON() ([]byte, error) {
	v := float64(f)
	switch {
	case math.IsInf(v, 1):
		return []byte(`"inf"`), nil
	case math.IsInf(v, -1):
		return []byte(`"-inf"`), nil
	case math.IsNaN(v):
		return []byte(`"nan"`), nil
	}
	return strconv.AppendFloat(nil, v, 'g', -1, 64), nil
}

func (f *jfloat) UnmarshalJSON(b []byte) error {
	switch string(b) {
	case `"inf"`:
		*f = jfloat(math.Inf(1))
	case `"-inf"`:
		*f = jfloat(math.Inf(-1))
	case `"nan"`:
		*f = jfloat(math.NaN())
	default:
		var v float64
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*f = jfloat(v)
	}
	return nil
}
