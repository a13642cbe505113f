// Package display makes rich notebook outputs: plots, live curves,
// progress bars, tensor tables and model summaries.
//
// Every output is a MIME bundle: its rich forms (text/html, image/png,
// image/svg+xml, text/markdown, ...) and always text/plain, for front ends
// and converters that cannot show the rich form. PNG plots are drawn at
// twice their display size and carry the display size as metadata
// ({"image/png": {"width": w, "height": h}}), so they are sharp on
// high-density screens.
//
// The functions named after an output (Lines, Scatter, Histogram,
// Heatmap, Confusion, Images, Table, Summary, Markdown, HTML, SVG, LaTeX,
// JSON, Image) show it at once; their ...Bundle twins return the bundle
// instead. They panic on misuse (a series of the wrong length, a 3-D
// heatmap, a class index with no class), and leave their arguments alone.
//
// Plots follow matplotlib's conventions where a Python user would look
// for them: the tab10 colours for series; viridis for heatmaps and
// confusion matrices, with a colour bar; row 0 of a matrix at the top;
// whole-number ticks on an axis of whole numbers (steps, epochs, counts);
// a log axis that leaves out values at or below zero.
//
// # Where outputs go
//
// Outputs travel to the kernel over the gonbui pipe
// (github.com/janpfeifer/gonb/gonbui), as protocol.DisplayData values, so
// gonbui calls in a cell and display calls look the same to the kernel.
// Outside a notebook the text/plain form is printed to standard output.
// Two conventions the kernel side must know:
//
//   - A DisplayData whose Data is the single key MIMEClearOutput
//     ("application/vnd.godl.clear-output+json") with a bool is a request
//     for clear_output(wait); see Clear.
//   - application/json data is sent as a string of JSON (gob cannot carry
//     arbitrary maps); decode it before putting it on the wire.
//
// A DisplayID on a message means, as in gonbui: display_data the first
// time the id is seen, update_display_data afterwards.
//
// # Live outputs
//
// Progress, Track and Curve update one output in place. A live output
// belongs to the cell that shows it:
//
//   - It appears where it is first shown: a Curve with its first point
//     (NewCurve alone shows nothing), a bar when its loop starts; or
//     where it is the value of a cell's last expression.
//   - Updates from a later cell (c.Add in the next cell) show it again,
//     with all its points, as an output of that later cell, and update it
//     there. The earlier cell's output keeps the state it had when that
//     cell ended: a saved notebook never has an earlier cell showing
//     later points. (Each cell's copy has its own display_id; the kernel
//     calls BeginCell when a cell starts.)
//   - A Curve that the running cell already shows live is not drawn a
//     second time as the cell's value; the value is its text.
//
// Updates are throttled:
// at least 100 ms apart (so at most 10 messages a second reach the front
// end), spaced further when a redraw is slow (a redraw takes at most a
// tenth of the time), and never lost: an update held back is sent by a
// timer, when the output finishes, or by Flush. The engine calls Flush at
// the end of every cell, so the saved notebook holds the final state of
// every curve and bar. A held-back update costs a lock and a clock read
// (about 60-90 ns).
//
// # Values of cells
//
// ValueBundle renders the value of a cell's last expression: tensors as
// tables, modules as summaries, images as PNG, values with a MIMEBundle
// method as their own bundle, anything else as %v.
package display
