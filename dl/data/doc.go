// Package data has datasets and batch loaders, mirroring torch.utils.data.
//
//	train, test, err := data.FashionMNIST("") // the system copy
//	for xb, yb := range data.NewLoader(train, 64, data.Shuffle(true)).All() { ... }
//
// Classification targets are Int64 tensors of class indices, as in
// PyTorch, which is what nn.CrossEntropyLoss takes (whole float32 numbers,
// which older notebooks built, work too). Randomness (shuffling, splits,
// generated sets)
// comes from dl's generator, so dl.Seed makes it repeatable, unless a
// Loader has its own Seed.
package data
