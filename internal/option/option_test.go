package option

import (
	"errors"
	"testing"
)

type conf struct {
	a, b int
	log  []string
}

func setA(v int) Option[conf] {
	return New("A", func(c *conf) { c.a = v; c.log = append(c.log, "A") })
}

func setB(v int) Option[conf] {
	return New("B", func(c *conf) { c.b = v; c.log = append(c.log, "B") })
}

func TestApplyInOrderLaterWins(t *testing.T) {
	c := conf{a: 1, b: 2}
	if err := Apply("T", &c, []string{"A", "B"}, []Option[conf]{setB(5), setA(3), setA(4)}); err != nil {
		t.Fatal(err)
	}
	if c.a != 4 || c.b != 5 || len(c.log) != 3 || c.log[0] != "B" {
		t.Errorf("got %+v", c)
	}
	c = conf{a: 1, b: 2}
	if err := Apply("T", &c, nil, nil); err != nil || c.a != 1 || c.b != 2 {
		t.Errorf("no options: %+v, %v", c, err)
	}
}

func TestApplyRefusesByName(t *testing.T) {
	takes := []string{"A"}
	var c conf
	err := Apply("Thing", &c, takes, []Option[conf]{setA(1), setB(2), New("C", func(*conf) {})})
	var r *Refused
	if !errors.As(err, &r) {
		t.Fatalf("got %v, want a *Refused", err)
	}
	if r.Op != "Thing" || r.Option != "B" || len(r.Takes) != 1 || r.Takes[0] != "A" {
		t.Errorf("refusal %+v: want the first option not taken, B", r)
	}
	if got, want := err.Error(), "option B does not apply to Thing (it takes [A])"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	takes[0] = "changed"
	if r.Takes[0] != "A" {
		t.Error("the refusal shares the caller's slice")
	}
	if c.a != 1 || c.b != 2 {
		t.Errorf("every option runs before the check: %+v", c)
	}
}

func TestZeroOptionRefused(t *testing.T) {
	var c conf
	var zero Option[conf]
	for _, err := range []error{
		Apply("T", &c, []string{"A"}, []Option[conf]{setA(1), zero}),
		Set("T", &c, []Option[conf]{zero}),
	} {
		if err == nil || err.Error() != "nil option" {
			t.Errorf("got %v, want nil option", err)
		}
	}
	if Name(zero) != "" || Name(setA(0)) != "A" {
		t.Error("Name")
	}
}

func TestSetTakesAll(t *testing.T) {
	c := conf{}
	if err := Set("T", &c, []Option[conf]{setA(7), setB(8)}); err != nil || c.a != 7 || c.b != 8 {
		t.Errorf("%+v %v", c, err)
	}
}
