// Package data has datasets and batch loaders, mirroring torch.utils.data.
package data
