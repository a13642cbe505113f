"""PyTorch's beginner tutorials (Tensors, Build the Neural Network,
Optimization) ported cell by cell, run through the kernel and compared with
what PyTorch 1.13 prints for the same code: integer tensors, indexing and
assignment, in-place ops, a model's repr, losses with options, accuracy
from Int64 predictions, and an Int64 tensor as a cell's value."""
from __future__ import annotations


from faults_helpers import Kernel


def out(k: Kernel, code: str) -> str:
    r = k.execute(code)
    assert r.reply["content"]["status"] == "ok", r.describe()
    return r.stdout


# Each expected text is PyTorch 1.13's output of the Python written beside
# the cell.


def test_tensors_from_nested_data(k):
    # x_data = torch.tensor([[1, 2], [3, 4]]); print(x_data)
    # print(torch.ones_like(x_data)); print(x_data.dtype)
    got = out(k, "xData := dl.From([][]int{{1, 2}, {3, 4}})\n"
                 "fmt.Println(xData)\nfmt.Println(dl.OnesLike(xData))\nfmt.Println(xData.Dtype())")
    assert got == ("tensor([[1, 2],\n        [3, 4]])\n"
                   "tensor([[1, 1],\n        [1, 1]])\n"
                   "torch.int64\n")


def test_indexing_and_assignment(k):
    # tensor = torch.ones(4, 4); print(f"First row: {tensor[0]}") ...
    # tensor[:,1] = 0; print(tensor)
    got = out(k, 'tensor := dl.Ones(4, 4)\n'
                 'fmt.Println("First row:", tensor.Index(0))\n'
                 'fmt.Println("First column:", tensor.Index(dl.All, 0))\n'
                 'fmt.Println("Last column:", tensor.Index(dl.Ellipsis, -1))\n'
                 'tensor.SetIndex(0, dl.All, 1)\n'
                 'fmt.Println(tensor)')
    assert got == ("First row: tensor([1., 1., 1., 1.])\n"
                   "First column: tensor([1., 1., 1., 1.])\n"
                   "Last column: tensor([1., 1., 1., 1.])\n"
                   "tensor([[1., 0., 1., 1.],\n        [1., 0., 1., 1.],\n"
                   "        [1., 0., 1., 1.],\n        [1., 0., 1., 1.]])\n")
    # tensor.add_(5); print(tensor); print(tensor[tensor > 5])
    # print(torch.cat([tensor, tensor], dim=1)[1:3, ::3])
    got = out(k, "tensor.AddScalarInPlace(5)\nfmt.Println(tensor)\n"
                 "fmt.Println(tensor.Index(tensor.Gt(5)))\n"
                 "fmt.Println(dl.Cat(1, tensor, tensor).Index(dl.Sl(1, 3), dl.Sl(0, dl.End, 3)))")
    assert got == ("tensor([[6., 5., 6., 6.],\n        [6., 5., 6., 6.],\n"
                   "        [6., 5., 6., 6.],\n        [6., 5., 6., 6.]])\n"
                   "tensor([6., 6., 6., 6., 6., 6., 6., 6., 6., 6., 6., 6.])\n"
                   "tensor([[6., 6., 6.],\n        [6., 6., 6.]])\n")


def test_model_repr(k):
    # class NeuralNetwork(nn.Module): flatten, linear_relu_stack; print(model)
    out(k, """
type NeuralNetwork struct {
	Flatten         *nn.Flatten
	LinearReluStack *nn.Sequential
}

func (m *NeuralNetwork) Forward(x *dl.Tensor) *dl.Tensor {
	return m.LinearReluStack.Forward(m.Flatten.Forward(x))
}
""")
    got = out(k, "model := &NeuralNetwork{nn.NewFlatten(), nn.NewSequential(\n"
                 "\tnn.NewLinear(28*28, 512), nn.NewReLU(), nn.NewLinear(512, 512), nn.NewReLU(), nn.NewLinear(512, 10))}\n"
                 "fmt.Println(nn.Repr(model))\nfmt.Println(model.LinearReluStack.Layers[1])")
    assert got == ("NeuralNetwork(\n"
                   "  (flatten): Flatten(start_dim=1, end_dim=-1)\n"
                   "  (linear_relu_stack): Sequential(\n"
                   "    (0): Linear(in_features=784, out_features=512, bias=True)\n"
                   "    (1): ReLU()\n"
                   "    (2): Linear(in_features=512, out_features=512, bias=True)\n"
                   "    (3): ReLU()\n"
                   "    (4): Linear(in_features=512, out_features=10, bias=True)\n"
                   "  )\n"
                   ")\n"
                   "ReLU()\n")


def test_losses_and_accuracy(k):
    # F.cross_entropy(z, y); F.cross_entropy(z, y, weight=w, label_smoothing=0.1)
    # (z.argmax(1) == y).sum().item(); (...).type(torch.float).sum().item()
    got = out(k, "z := dl.From([][]float32{{1, 2, 0.5}, {0.1, -1, 3}, {2, 2, 2}, {0, 1, -1}})\n"
                 "y := dl.From([]int{1, 2, 0, -100})\n"
                 "w := dl.From([]float32{1, 2, 0.5})\n"
                 'fmt.Printf("%.6f\\n", nn.CrossEntropyLoss(z, y).Item())\n'
                 'fmt.Printf("%.6f\\n", nn.CrossEntropyLoss(z, y, nn.Weight(w), nn.LabelSmoothing(0.1)).Item())\n'
                 "fmt.Println(z.Argmax(1).Eq(y).Sum().ItemInt(), z.Argmax(1).Eq(y).To(dl.Float32).Sum().Item())")
    assert got == "0.544585\n0.705353\n3 3\n"


def test_int64_tensor_as_cell_value(k):
    r = k.execute("dl.From([][]int{{7, -1}, {300, 2}})")
    assert r.reply["content"]["status"] == "ok", r.describe()
    res = r.of("execute_result")
    assert len(res) == 1, r.describe()
    assert res[0]["data"]["text/plain"] == "tensor([[  7,  -1],\n        [300,   2]])"
    assert "dtype int64" in res[0]["data"]["text/html"]


def test_dtype_error_is_a_clean_cell_error(k):
    r = k.execute("dl.From([]int{1, 2}).RequiresGrad()")
    assert r.reply["content"]["status"] == "error"
    assert "RequiresGrad" in r.error_text() and "int64" in r.error_text(), r.describe()
    # the kernel lives on, and so do earlier variables
    assert out(k, "fmt.Println(xData.Sum())") == "tensor(10)\n"
