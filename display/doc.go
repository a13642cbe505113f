// Package display makes rich notebook outputs: plots, live curves,
// progress bars, tensor tables and model summaries.
package display
