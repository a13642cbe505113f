// Package data has datasets and batch loaders, mirroring torch.utils.data.
//
//	train, test, err := data.FashionMNIST("") // the system copy
//	for xb, yb := range data.NewLoader(train, 64, data.Shuffle(true)).All() { ... }
//
// Classification targets are float32 tensors of class indices, which is
// what nn.CrossEntropyLoss takes. Randomness (shuffling, generated sets)
// comes from dl's generator, so dl.Seed makes it repeatable, unless a
// Loader has its own Seed.
package data
