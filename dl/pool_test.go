package dl

import "testing"

func TestClassLen(t *testing.T) {
	for _, c := range []struct{ n, want int }{
		{1, 1}, {1024, 1024}, {1025, 1280}, {1280, 1280}, {1281, 1536}, {2048, 2048}, {2049, 2560}, {7000, 7168},
	} {
		if got := classLen(c.n); got != c.want {
			t.Errorf("classLen(%d) = %d, want %d", c.n, got, c.want)
		}
		if got := classLen(c.want); got != c.want {
			t.Errorf("classLen(%d) = %d: a class length must map to itself", c.want, got)
		}
	}
}

// TestPoolDoesNotRecycleLiveBuffers runs training steps whose gradient
// temporaries go back to the pool, while holding forward results, leaf
// gradients and a RawData slice, and checks that later steps never write
// into any of them.
func TestPoolDoesNotRecycleLiveBuffers(t *testing.T) {
	Seed(3)
	x := Randn(64, 100)
	w := Randn(50, 100).MulScalar(0.1).RequiresGrad()
	b := Zeros(50).RequiresGrad()
	type kept struct {
		t    *Tensor
		want []float32
	}
	var keep []kept
	hold := func(t *Tensor) { keep = append(keep, kept{t, t.Data()}) }
	var raw []float32
	var rawWant []float32
	for step := range 6 {
		h := Tanh(x.MatMul(w.T()).Add(b))
		y := h.Mul(h).Add(h).Sum(1)
		loss := y.Mean()
		hold(h)
		hold(y)
		loss.Backward()
		g := w.Grad().Detach().Clone()
		hold(g)
		if step == 2 {
			raw = w.Grad().RawData()
			rawWant = append([]float32(nil), raw...)
			w.SetGrad(nil) // the slice outlives its tensor's place as Grad
			b.SetGrad(nil)
		}
	}
	for i, k := range keep {
		if err := compare(k.t.Data(), k.want, 0); err != nil {
			t.Errorf("held tensor %d changed: %v", i, err)
		}
	}
	if err := compare(raw, rawWant, 0); err != nil {
		t.Errorf("RawData slice changed: %v", err)
	}
}

// TestBackwardReleasesEachBufferOnce covers a gradient that is both dropped
// and reduced away (a broadcast input): recycling it twice would hand one
// buffer to two tensors.
func TestBackwardReleasesEachBufferOnce(t *testing.T) {
	y := Ones(1).RequiresGrad()
	c := Arange(0, 2048, 1)
	y.Add(c).MulScalar(3).Sum().Backward()
	if y.Grad().Item() != 3*2048 {
		t.Fatalf("grad %v", y.Grad().Item())
	}
	a, b := Zeros(2048), Zeros(2048)
	if &a.data[0] == &b.data[0] {
		t.Fatal("two live tensors share one pooled buffer")
	}
}
