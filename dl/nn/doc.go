// Package nn has neural-network layers, losses and the reflection helpers
// that find a model's parameters, mirroring torch.nn.
package nn
